// The latest time of a schedule before an instant. A schedule only answers "the next time
// after", and walking it forward across a long downtime costs a call per time (tens of
// microseconds each for cron: seconds for a month of an every-second schedule), so the
// latest time is searched for instead: a window widened back from the instant until a time
// falls in it, then narrowed by halves, about 80 calls whatever the gap.

/** The next fire time strictly after a time, or undefined when there is none. */
export type NextAfter = (ms: number) => number | undefined;

/** The latest time `t` of the schedule with `floor <= t < before`, or undefined when there is none. */
export function latestBefore(nextAfter: NextAfter, floor: number, before: number): number | undefined {
  const inRange = (after: number) => {
    const t = nextAfter(after);
    return t !== undefined && t < before;
  };
  // Invariant of the narrowing: a time lies in (lo, before), none in (hi, before).
  let lo: number;
  for (let width = 1_000; ; width *= 2) {
    lo = Math.max(floor - 1, before - 1 - width);
    if (inRange(lo)) break;
    if (lo === floor - 1) return undefined;
  }
  let hi = before - 1;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (inRange(mid)) lo = mid;
    else hi = mid;
  }
  return nextAfter(lo);
}
