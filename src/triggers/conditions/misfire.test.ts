// planMissed: which of the times a schedule missed fire, and why. A time missed by no more
// than the grace is a late fire; older ones follow the policy; `all` is bounded.
import { describe, expect, it } from 'vitest';
import { cronTimes } from './cron-times.js';
import { latestBefore } from './latest-before.js';
import { DROPPED_COUNT_LIMIT, MISFIRE_ALL_LIMIT, planMissed, type Misfire } from './misfire.js';

const MIN = 60_000;
const HOUR = 3_600_000;
/** On the hour, from 0. */
const hourly = (ms: number) => Math.floor(ms / HOUR) * HOUR + HOUR;
const policy = (p: Misfire['policy'], graceMs = MIN): Misfire => ({ policy: p, graceMs });

describe('planMissed', () => {
  // Down from just after 1:00 to 5:00:30: 2:00, 3:00 and 4:00 are older than a minute; 5:00 is 30 s late.
  const now = 5 * HOUR + 30_000;

  it('skip: fires only the time missed by less than the grace, as a plain schedule fire', () => {
    expect(planMissed(hourly, 2 * HOUR, now, policy('skip'))).toEqual({
      fires: [{ at: 5 * HOUR, cause: 'schedule' }],
      dropped: undefined,
      next: 6 * HOUR,
    });
  });

  it('once: fires the latest time older than the grace as catch_up, and the late one as schedule', () => {
    expect(planMissed(hourly, 2 * HOUR, now, policy('once')).fires).toEqual([
      { at: 4 * HOUR, cause: 'catch_up' },
      { at: 5 * HOUR, cause: 'schedule' },
    ]);
  });

  it('all: fires every time older than the grace, in order, then the late one', () => {
    expect(planMissed(hourly, 2 * HOUR, now, policy('all')).fires).toEqual([
      { at: 2 * HOUR, cause: 'catch_up' },
      { at: 3 * HOUR, cause: 'catch_up' },
      { at: 4 * HOUR, cause: 'catch_up' },
      { at: 5 * HOUR, cause: 'schedule' },
    ]);
  });

  it('counts a time exactly the grace old as late, and one a millisecond older as missed', () => {
    expect(planMissed(hourly, 5 * HOUR, 5 * HOUR + MIN, policy('skip')).fires).toEqual([{ at: 5 * HOUR, cause: 'schedule' }]);
    expect(planMissed(hourly, 5 * HOUR, 5 * HOUR + MIN + 1, policy('skip')).fires).toEqual([]);
  });

  it('takes a longer grace as late fires, whatever the policy', () => {
    expect(planMissed(hourly, 2 * HOUR, now, policy('skip', 4 * HOUR)).fires.map((f) => f.cause)).toEqual([
      'schedule',
      'schedule',
      'schedule',
      'schedule',
    ]);
  });

  it('fires nothing when no time is missed yet', () => {
    expect(planMissed(hourly, 6 * HOUR, now, policy('all'))).toEqual({ fires: [], dropped: undefined, next: 6 * HOUR });
  });

  it('all: keeps the latest MISFIRE_ALL_LIMIT times and says how many older ones it dropped', () => {
    // 250 hours down: 249 times older than the grace, then the late one.
    const plan = planMissed(hourly, HOUR, 250 * HOUR + 1_000, policy('all'));
    const caughtUp = plan.fires.filter((f) => f.cause === 'catch_up').map((f) => f.at);
    expect(caughtUp).toHaveLength(MISFIRE_ALL_LIMIT);
    expect(caughtUp[0]).toBe(150 * HOUR);
    expect(caughtUp.at(-1)).toBe(249 * HOUR);
    expect(plan.fires.at(-1)).toEqual({ at: 250 * HOUR, cause: 'schedule' });
    expect(plan.dropped).toEqual({ count: 149, more: false, first: HOUR, last: 149 * HOUR });
  });

  it('all: stops counting the dropped times at DROPPED_COUNT_LIMIT', () => {
    const second = (ms: number) => Math.floor(ms / 1_000) * 1_000 + 1_000;
    const plan = planMissed(second, 1_000, 86_400_000, policy('all'));
    expect(plan.dropped).toMatchObject({ count: DROPPED_COUNT_LIMIT, more: true, first: 1_000 });
    expect(plan.fires.filter((f) => f.cause === 'catch_up')).toHaveLength(MISFIRE_ALL_LIMIT);
  });

  it('catches up a month of an every-second cron schedule quickly', () => {
    const next = cronTimes('* * * * * *', 'UTC');
    const start = Date.parse('2026-01-01T00:00:00Z');
    const now = Date.parse('2026-02-01T00:00:00Z');
    const began = performance.now();
    const once = planMissed(next, start + 1_000, now, policy('once'));
    const all = planMissed(next, start + 1_000, now, policy('all'));
    expect(performance.now() - began).toBeLessThan(5_000);
    expect(once.fires[0]).toEqual({ at: now - MIN - 1_000, cause: 'catch_up' });
    expect(once.fires).toHaveLength(1 + 61);
    expect(all.fires.filter((f) => f.cause === 'catch_up').at(-1)?.at).toBe(now - MIN - 1_000);
  });
});

describe('latestBefore', () => {
  const times = [100, 5_000, 5_001, 90_000];
  const listed = (ms: number) => times.find((t) => t > ms);

  it('finds the latest time before an instant, and none before the floor', () => {
    expect(latestBefore(listed, 0, 90_000)).toBe(5_001);
    expect(latestBefore(listed, 0, 90_001)).toBe(90_000);
    expect(latestBefore(listed, 0, 100)).toBeUndefined();
    expect(latestBefore(listed, 5_001, 80_000)).toBe(5_001);
    expect(latestBefore(listed, 5_002, 80_000)).toBeUndefined();
  });
});
