// The in-memory limiter (one engine on SQLite): limits finer than a millisecond per request
// still have a step, and the keys held are bounded, the least recently used going first.
import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './rate-limiter.js';

describe('MemoryRateLimiter', () => {
  it('admits a burst of 2,000 per second at once, then one every 500 µs (told as 1 ms)', () => {
    const limiter = new MemoryRateLimiter();
    const limit = { requests: 2_000, perMs: 1_000 };
    let admitted = 0;
    for (let i = 0; i < 2_000; i++) if (limiter.take('k', limit, 0) === 0) admitted++;
    expect(admitted).toBe(2_000);
    expect(limiter.take('k', limit, 0)).toBe(1);
    expect(limiter.take('k', limit, 1)).toBe(0);
    expect(limiter.take('k', limit, 1)).toBe(0);
    expect(limiter.take('k', limit, 1)).toBe(1);
  });

  it('holds at most maxKeys keys: the least recently used key begins afresh', () => {
    const limiter = new MemoryRateLimiter(2);
    const limit = { requests: 1, perMs: 60_000 };
    expect(limiter.take('a', limit, 0)).toBe(0);
    expect(limiter.take('b', limit, 0)).toBe(0);
    expect(limiter.take('a', limit, 1)).toBe(59_999); // refused: a stays the most recent
    expect(limiter.take('c', limit, 2)).toBe(0); // b, the least recently used, goes
    expect(limiter.take('a', limit, 3)).toBe(59_997);
    expect(limiter.take('b', limit, 4)).toBe(0);
  });
});
