// Number formatting for the bench reports (fixed decimals, thousands separators).

/** Fixed decimals, or '-' for NaN and infinities (a figure that could not be measured). */
export function fmt(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : '-';
}

/** Whole number with thousands separators (12345 -> "12,345"), or '-' when not finite. */
export function n0(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-';
}
