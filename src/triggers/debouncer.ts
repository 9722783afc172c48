// Per-instance debounce with PlaceOS's meaning. `hold`: the first request fires, every
// request inside the window extends it, and only a quiet gap of a whole period re-arms.
// `throttle`: at most one fire per fixed period. The check-and-set is synchronous, so
// concurrent requests cannot both pass. One debouncer outlives every config generation, so
// a reload keeps the windows of the instances it did not change.
import type { Clock } from '../clock.js';

export type DebounceMode = 'hold' | 'throttle';

export class Debouncer {
  private readonly last = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** True when this request fires; false when it is debounced. */
  admit(key: string, periodMs: number, mode: DebounceMode): boolean {
    if (periodMs <= 0) return true;
    const now = this.clock.now();
    const previous = this.last.get(key);
    const quiet = previous === undefined || now - previous >= periodMs;
    if (mode === 'hold' || quiet) this.last.set(key, now);
    return quiet;
  }

  /** Drops the windows of these keys: instances a reload rebuilt or removed start afresh. */
  forget(keys: Iterable<string>): void {
    for (const key of keys) this.last.delete(key);
  }
}
