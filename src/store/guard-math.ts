// The arithmetic both backends' guards share, so SQLite, PostgreSQL and the in-memory
// limiter decide alike.

/**
 * A rate limit of `requests` per `perMs` as GCRA sees it: each request moves the
 * theoretical arrival time (TAT) on by `step`; a request is admitted while the TAT is at
 * most `burst` ahead of now, so `requests` back to back pass, then one every `step`.
 * Whole milliseconds: PostgreSQL keeps the TAT as a bigint.
 */
export function rateStep(requests: number, perMs: number): { step: number; burst: number } {
  const step = Math.max(1, Math.round(perMs / requests));
  return { step, burst: Math.max(0, perMs - step) };
}

/** The keys of an instance's per-key debounce windows lie in [`ID\n`, `ID\v`): a range an index serves. */
export function windowRange(instanceId: string): [from: string, to: string] {
  return [`${instanceId}\n`, `${instanceId}\v`];
}
