// How long a link waits before its next connection attempt: doubling from `initialMs` up
// to `maxMs`, and back to `initialMs` once a connection came up.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

export class Backoff {
  private failures = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** The wait before the next attempt, counting this failure. */
  next(): number {
    const delay = Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.failures);
    // Stop counting once the cap is reached, so the exponent never overflows.
    if (delay < this.options.maxMs) this.failures++;
    return delay;
  }

  reset(): void {
    this.failures = 0;
  }
}
