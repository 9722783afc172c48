// Where a trigger's rate limit is decided. One engine on its SQLite file is the only one
// counting, so it counts in memory (a restart begins every limit afresh); nodes sharing
// PostgreSQL count in the database, each request one guard in the store's next batch, so
// the limit holds across all of them. Both decide by GCRA with guard-math's arithmetic.
import { rateStep } from '../store/guard-math.js';
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
  /** Each key's theoretical arrival time, least recently used first. */
  private readonly tats = new Map<string, number>();

  constructor(private readonly maxKeys = MEMORY_RATE_KEYS) {}

  take(key: string, { requests, perMs }: RateLimit, at: number): number {
    const { step, burst } = rateStep(requests, perMs);
    const base = Math.max(this.tats.get(key) ?? at, at);
    if (base - at > burst) return this.tats.get(key)! - at - burst;
    this.tats.delete(key);
    this.tats.set(key, base + step);
    if (this.tats.size > this.maxKeys) this.tats.delete(this.tats.keys().next().value!);
    return 0;
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
