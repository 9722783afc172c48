// A list of names for a problem message, cut after 20: enough to spot a typo in a small
// config. Listing them all made each problem as long as the config, and a file of many
// wrong references quadratic in its size (so this never walks past the 20 it shows).

export const LISTED = 20;

export function shortList(names: ReadonlySet<string> | readonly string[]): string {
  const total = 'size' in names ? names.size : names.length;
  if (total === 0) return '(none)';
  const shown: string[] = [];
  for (const name of names) {
    if (shown.length === LISTED) break;
    shown.push(name);
  }
  return total > LISTED ? `${shown.join(', ')} and ${total - LISTED} more` : shown.join(', ');
}
