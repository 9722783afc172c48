// Every schedule condition of every instance on one timer of the engine's clock: a heap
// ordered by next fire time, so 10,000 schedules cost one timer, not 10,000. A timer that
// fires late (a busy event loop, a starved or suspended machine) owes the times it passed:
// planMissed decides which fire, by the entry's misfire policy and grace, each with its own
// due time. Where several nodes schedule the same times, each is claimed once, so a time
// within the grace is missed only if every node was that late.
import { Heap } from 'heap-js';
import type { Clock } from '../../clock.js';
import { planMissed, type DroppedTimes, type DueFire, type Misfire } from './misfire.js';

export interface ScheduleEntry {
  instanceId: string;
  /** The condition's position in its trigger's `conditions`. */
  condition: number;
  /** The next fire time strictly after a time, or undefined when there is none (past `at` times). */
  nextAfter(ms: number): number | undefined;
  /** What the times missed by a late timer do. */
  misfire: Misfire;
}

/** What the scheduler calls: each fire it owes, and the times `misfire: all` left out. */
export interface ScheduleListener<E> {
  due(entry: E, fire: DueFire): void;
  dropped(entry: E, dropped: DroppedTimes): void;
}

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
    private readonly listener: ScheduleListener<E>,
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
      const { entry } = next;
      // Every time from the one it was due at through now: on time, that is the one.
      const plan = planMissed((ms) => entry.nextAfter(ms), next.at, now, entry.misfire);
      if (plan.dropped) this.listener.dropped(entry, plan.dropped);
      for (const fire of plan.fires) this.listener.due(entry, fire);
      if (plan.next !== undefined) this.heap.push({ entry, at: plan.next });
    }
    if (this.running) this.arm();
  }
}
