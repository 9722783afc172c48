// The scheduler's one timer: on time it fires each due time once; late (its timer fired
// after the due time, as on a starved or suspended machine) it fires every time it passed
// within the entry's misfire grace, each with its own due time, and the older ones as the
// entry's misfire policy says.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/fake-clock.js';
import type { DroppedTimes, DueFire, MisfirePolicy } from './misfire.js';
import { Scheduler, type ScheduleEntry } from './scheduler.js';

const GRACE = 10_000;

function everySecond(policy: MisfirePolicy = 'skip'): ScheduleEntry {
  return {
    instanceId: 'i',
    condition: 0,
    nextAfter: (ms) => Math.floor(ms / 1_000) * 1_000 + 1_000,
    misfire: { policy, graceMs: GRACE },
  };
}

/** A clock whose timers fire `lateMs` after they are due (the event loop was busy). */
class LateClock extends FakeClock {
  lateMs = 0;
  override setTimeout(fn: () => void, ms: number): () => void {
    return super.setTimeout(fn, ms + this.lateMs);
  }
}

function recording(clock: FakeClock, entry: ScheduleEntry) {
  const fired: DueFire[] = [];
  const dropped: DroppedTimes[] = [];
  const scheduler = new Scheduler(clock, { due: (_, fire) => fired.push(fire), dropped: (_, d) => dropped.push(d) });
  scheduler.add(entry);
  return { scheduler, fired, dropped, at: () => fired.map((f) => f.at) };
}

/** Starts the entry's first timer `lateMs` late: due at 1 s, it runs at 1 s + lateMs. */
function lateBy(lateMs: number, policy?: MisfirePolicy) {
  const clock = new LateClock(0);
  const run = recording(clock, everySecond(policy));
  clock.lateMs = lateMs;
  run.scheduler.start();
  clock.advance(1_000 + lateMs);
  return run;
}

/** 16 s: the times from 6 s on are within the 10 s grace, 1 s to 5 s are older. */
const LATE = [6_000, 7_000, 8_000, 9_000, 10_000, 11_000, 12_000, 13_000, 14_000, 15_000, 16_000];

describe('Scheduler', () => {
  it('fires each second once when its timer is on time', () => {
    const clock = new FakeClock(0);
    const { scheduler, at, fired } = recording(clock, everySecond());
    scheduler.start();
    clock.advance(3_000);
    expect(at()).toEqual([1_000, 2_000, 3_000]);
    expect(fired.every((f) => f.cause === 'schedule')).toBe(true);
  });

  it('fires the times a late timer passed within the grace, each with its own due time', () => {
    const { at, fired } = lateBy(2_500);
    expect(at()).toEqual([1_000, 2_000, 3_000]);
    expect(fired.every((f) => f.cause === 'schedule')).toBe(true);
  });

  it('skip: drops the times older than the grace when its timer is later than that', () => {
    const { at } = lateBy(GRACE + 5_000, 'skip');
    expect(at()).toEqual(LATE);
  });

  it('once: fires the latest time older than the grace as a catch-up, then the late ones', () => {
    const { fired } = lateBy(GRACE + 5_000, 'once');
    expect(fired).toEqual([{ at: 5_000, cause: 'catch_up' }, ...LATE.map((at) => ({ at, cause: 'schedule' }))]);
  });

  it('all: fires every time older than the grace as a catch-up, in order, then the late ones', () => {
    const { fired, dropped } = lateBy(GRACE + 5_000, 'all');
    expect(fired).toEqual([
      ...[1_000, 2_000, 3_000, 4_000, 5_000].map((at) => ({ at, cause: 'catch_up' })),
      ...LATE.map((at) => ({ at, cause: 'schedule' })),
    ]);
    expect(dropped).toEqual([]);
  });

  it('goes on from the first time after now once it caught up', () => {
    const run = lateBy(GRACE + 5_000, 'all');
    expect(run.scheduler.pending().map((p) => p.at)).toEqual([17_000]);
  });
});
