// Number formatting for the bench reports.

/** Fixed decimals, or '-' for NaN and infinities (a figure that could not be measured). */
export function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}
