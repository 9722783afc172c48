// The arithmetic both backends' guards share, so SQLite, PostgreSQL and the in-memory
// limiter decide alike.

/**
 * A rate limit of `requests` per `perMs` as GCRA sees it: each request moves the
 * theoretical arrival time (TAT) on by `stepUs`; a request is admitted while the TAT is at
 * most `burstUs` ahead of now, so `requests` back to back pass, then one every `stepUs`.
 * In whole microseconds (a bigint on PostgreSQL): a million a second still has a step.
 */
export function rateStep(requests: number, perMs: number): { stepUs: number; burstUs: number } {
  const stepUs = Math.max(1, Math.round((perMs * 1000) / requests));
  return { stepUs, burstUs: Math.max(0, perMs * 1000 - stepUs) };
}

/** A wait in microseconds as the whole milliseconds a caller is told (never 0 for a refusal). */
export function waitMs(us: number): number {
  return Math.ceil(us / 1000);
}

/** The keys of an instance's per-key debounce windows lie in [`ID\n`, `ID\v`): a range an index serves. */
export function windowRange(instanceId: string): [from: string, to: string] {
  return [`${instanceId}\n`, `${instanceId}\v`];
}
