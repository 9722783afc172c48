// A clock a driver's test moves by hand: `advance` runs the timers that fall due, in order,
// so a driver's polls, retries and timeouts are tested without sleeping.
import type { Clock } from '../../clock.js';

interface Timer {
  at: number;
  fn: () => void;
  id: number;
}

export class ManualClock implements Clock {
  private timers: Timer[] = [];
  private nextId = 0;

  /** Starts at 2026-01-01T00:00:00Z unless told otherwise, so tests see the same times on every run. */
  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): () => void {
    const id = this.nextId++;
    this.timers.push({ at: this.current + Math.max(0, ms), fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  /** Moves time forward by `ms`, running each timer due by then at its own time, earliest first. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      // A timer may set another that also falls due: look again after each one.
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = due.at;
      due.fn();
    }
    this.current = target;
  }

  /** How many timers are set and not yet run or cancelled (a driver that stops should leave none). */
  get pendingTimers(): number {
    return this.timers.length;
  }
}
