// The known name nearest to a misspelt one, for "did you mean": a few letters off, or the same
// letters in another case. Bounded, so a config of 100,000s of unknown keys stays linear
// (bench/config-size.ts measures it). Written here because a swap of two letters must count as
// one typo ("enabeld"): fastest-levenshtein has no swaps, and damerau-levenshtein builds a
// matrix of the longer name's size per call with no way to stop at a limit.

/** The nearest of `names` to `name`, or undefined when none is close enough to be a typo of it. */
export function nearestName(name: string, names: Iterable<string>): string | undefined {
  const wanted = name.toLowerCase();
  // A short name is a typo at one edit; a longer one at two ("debounse", "enabeld", "trigers").
  const most = wanted.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = most + 1;
  for (const candidate of names) {
    const distance = editDistance(wanted, candidate.toLowerCase(), Math.min(most, bestDistance - 1));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Edits (insert, delete, change, swap two neighbours) that turn `a` into `b`, or `limit + 1`
 * as soon as it is sure to be more than `limit`.
 */
export function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = Array.from({ length: b.length + 1 }, () => 0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  let previousLeast = 0;
  for (let i = 1; i <= a.length; i++) {
    const current: number[] = Array.from({ length: b.length + 1 }, () => 0);
    current[0] = i;
    let rowLeast = i;
    for (let j = 1; j <= b.length; j++) {
      const change = a[i - 1] === b[j - 1] ? 0 : 1;
      let cost = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + change);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) cost = Math.min(cost, before[j - 2]! + 1);
      current[j] = cost;
      rowLeast = Math.min(rowLeast, cost);
    }
    // A swap reaches back two rows, so both must be past the limit.
    if (rowLeast > limit && previousLeast >= limit) return limit + 1;
    previousLeast = rowLeast;
    before = previous;
    previous = current;
  }
  return Math.min(previous[b.length]!, limit + 1);
}
