// Where a trigger's rate limit is decided. One engine on its SQLite file is the only one
// counting, so it counts in memory (a restart begins every limit afresh); nodes sharing
// PostgreSQL count in the database, each request one guard in the store's next batch, so
// the limit holds across all of them. Both decide by GCRA with guard-math's arithmetic.
import { rateStep, waitMs } from '../store/guard-math.js';
import type { UnitOfWork } from '../store/writes.js';

export interface RateLimit {
  requests: number;
  perMs: number;
}

export interface RateLimiter {
  /** Takes one request from `key`'s limit at `at`: 0 when admitted, else the wait in ms until one would be. */
  take(key: string, limit: RateLimit, at: number): number | Promise<number>;
}

/** The most keys held in memory; past it the least recently used go (a key that went is a limit begun afresh). */
export const MEMORY_RATE_KEYS = 100_000;

export class MemoryRateLimiter implements RateLimiter {
  /** Each key's theoretical arrival time (µs), least recently used first. */
  private readonly tats = new Map<string, number>();

  constructor(private readonly maxKeys = MEMORY_RATE_KEYS) {}

  take(key: string, { requests, perMs }: RateLimit, at: number): number {
    const { stepUs, burstUs } = rateStep(requests, perMs);
    const now = at * 1000;
    const tat = this.tats.get(key);
    const base = Math.max(tat ?? now, now);
    const admitted = base - now <= burstUs;
    // Set again either way: a key refused now is as recently used as one admitted.
    this.tats.delete(key);
    this.tats.set(key, admitted ? base + stepUs : tat!);
    if (this.tats.size > this.maxKeys) this.tats.delete(this.tats.keys().next().value!);
    return admitted ? 0 : waitMs(base - now - burstUs);
  }
}

export class StoreRateLimiter implements RateLimiter {
  constructor(private readonly store: UnitOfWork) {}

  async take(key: string, { requests, perMs }: RateLimit, at: number): Promise<number> {
    const refusal = await this.store.commit([
      { kind: 'guard', guards: [{ kind: 'rate', key, requests, perMs, at }], otherwise: () => [] },
    ]);
    return refusal?.retryAfterMs ?? 0;
  }
}
