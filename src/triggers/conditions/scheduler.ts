// Every schedule condition of every instance on one timer of the engine's clock: a heap
// ordered by next fire time, so 10,000 schedules cost one timer, not 10,000. A timer that
// fires late (a busy event loop, a starved machine) fires every time it passed within the
// last LATE_GRACE_MS, each with its own due time: where several nodes schedule the same
// times, each is claimed once, so a time is missed only if every node was that late.
import { Heap } from 'heap-js';
import type { Clock } from '../../clock.js';

export interface ScheduleEntry {
  instanceId: string;
  /** The condition's position in its trigger's `conditions`. */
  condition: number;
  /** The next fire time strictly after a time, or undefined when there is none (past `at` times). */
  nextAfter(ms: number): number | undefined;
}

/** How far back a late timer still fires the times it passed (older ones are skipped; `catch_up` is for restarts). */
export const LATE_GRACE_MS = 10_000;

interface Due<E> {
  entry: E;
  at: number;
}

export class Scheduler<E extends ScheduleEntry = ScheduleEntry> {
  private readonly heap = new Heap<Due<E>>((a, b) => a.at - b.at);
  private cancel: (() => void) | undefined;
  private timerAt = Infinity;
  private running = false;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (entry: E, at: number) => void,
  ) {}

  /** Adds an entry, first due at its next time after now, or at `firstAt` (a time handed over by a reload, due already or not). */
  add(entry: E, firstAt?: number): void {
    const at = firstAt ?? entry.nextAfter(this.clock.now());
    if (at !== undefined) this.heap.push({ entry, at });
    if (this.running) this.arm();
  }

  start(): void {
    this.running = true;
    this.arm();
  }

  stop(): void {
    this.running = false;
    this.cancel?.();
    this.cancel = undefined;
    this.timerAt = Infinity;
  }

  get size(): number {
    return this.heap.length;
  }

  /** Each entry with the next time it has not fired yet: what a stopped scheduler hands to its successor. */
  pending(): Due<E>[] {
    return this.heap.toArray();
  }

  private arm(): void {
    const next = this.heap.peek();
    if (!next || next.at >= this.timerAt) return;
    this.cancel?.();
    this.timerAt = next.at;
    this.cancel = this.clock.setTimeout(() => this.fireDue(), Math.max(0, next.at - this.clock.now()));
  }

  private fireDue(): void {
    this.cancel = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    for (let next = this.heap.peek(); next && next.at <= now; next = this.heap.peek()) {
      this.heap.pop();
      this.onDue(next.entry, next.at);
      // From the time it was due, not from now: a late timer fires the times it passed, back to LATE_GRACE_MS.
      const following = next.entry.nextAfter(Math.max(next.at, now - LATE_GRACE_MS - 1));
      if (following !== undefined) this.heap.push({ entry: next.entry, at: following });
    }
    if (this.running) this.arm();
  }
}
