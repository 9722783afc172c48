// The scheduler's one timer: on time it fires each due time once; late (its timer fired
// after the due time, as on a starved machine) it fires every time it passed within
// LATE_GRACE_MS, each with its own due time, and skips the older ones.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { LATE_GRACE_MS, Scheduler, type ScheduleEntry } from './scheduler.js';

const everySecond: ScheduleEntry = {
  instanceId: 'i',
  condition: 0,
  nextAfter: (ms) => Math.floor(ms / 1_000) * 1_000 + 1_000,
};

/** A clock whose timers fire `lateMs` after they are due (the event loop was busy). */
class LateClock extends FakeClock {
  lateMs = 0;
  override setTimeout(fn: () => void, ms: number): () => void {
    return super.setTimeout(fn, ms + this.lateMs);
  }
}

describe('Scheduler', () => {
  it('fires each second once when its timer is on time', () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    const scheduler = new Scheduler(clock, (_, at) => fired.push(at));
    scheduler.add(everySecond);
    scheduler.start();
    clock.advance(3_000);
    expect(fired).toEqual([1_000, 2_000, 3_000]);
  });

  it('fires the times a late timer passed, each with its own due time', () => {
    const clock = new LateClock(0);
    const fired: number[] = [];
    const scheduler = new Scheduler(clock, (_, at) => fired.push(at));
    scheduler.add(everySecond);
    clock.lateMs = 2_500; // the first timer, due at 1 s, runs at 3.5 s
    scheduler.start();
    clock.advance(3_500);
    expect(fired).toEqual([1_000, 2_000, 3_000]);
  });

  it('skips the times older than the grace when its timer is later than that', () => {
    const clock = new LateClock(0);
    const fired: number[] = [];
    const scheduler = new Scheduler(clock, (_, at) => fired.push(at));
    scheduler.add(everySecond);
    clock.lateMs = LATE_GRACE_MS + 5_000;
    scheduler.start();
    clock.advance(1_000 + LATE_GRACE_MS + 5_000); // the timer due at 1 s runs at 16 s
    expect(fired[0]).toBe(1_000);
    expect(fired.slice(1)).toEqual([6_000, 7_000, 8_000, 9_000, 10_000, 11_000, 12_000, 13_000, 14_000, 15_000, 16_000]);
  });
});
