// What a schedule does with the times it missed (the engine was down, or its timer ran
// late): a time missed by no more than the grace fires as a late fire (cause `schedule`);
// older ones follow the trigger's policy: `skip` drops them, `once` fires the latest of
// them, `all` fires each in order, the latest MISFIRE_ALL_LIMIT of them at most (cause
// `catch_up`). Pure: the scheduler and the start-up catch-up both ask it.
import type { MisfirePolicy } from '../../config/misfire-schema.js';
import { latestBefore, type NextAfter } from './latest-before.js';

export type { MisfirePolicy };

export interface Misfire {
  policy: MisfirePolicy;
  graceMs: number;
}

/**
 * The most missed times `misfire: all` fires for one condition at once. An engine down for
 * weeks under an every-minute schedule would otherwise start with tens of thousands of runs;
 * the latest are kept, as the ones closest to now.
 */
export const MISFIRE_ALL_LIMIT = 100;

/** How far the dropped times are counted: counting walks them one by one (tens of microseconds each for cron). */
export const DROPPED_COUNT_LIMIT = 1_000;

export interface DueFire {
  at: number;
  cause: 'schedule' | 'catch_up';
}

/** The missed times `all` did not fire, for the warning: how many (or at least how many), and their span. */
export interface DroppedTimes {
  count: number;
  /** True when there were more than `count` (counting stopped at DROPPED_COUNT_LIMIT). */
  more: boolean;
  first: number;
  last: number;
}

export interface MissedPlan {
  /** In time order: the policy's catch-up fires, then the late ones. */
  fires: DueFire[];
  dropped: DroppedTimes | undefined;
  /** The first time after now, where the schedule goes on. */
  next: number | undefined;
}

/** The fires owed for the times from `first` (the first time not fired) through `now`. */
export function planMissed(nextAfter: NextAfter, first: number, now: number, misfire: Misfire): MissedPlan {
  // A time exactly the grace old is still late, not misfired.
  const cutoff = now - misfire.graceMs;
  const fires: DueFire[] = [];
  let dropped: DroppedTimes | undefined;
  if (first < cutoff && misfire.policy === 'once') {
    fires.push({ at: latestBefore(nextAfter, first, cutoff) ?? first, cause: 'catch_up' });
  } else if (first < cutoff && misfire.policy === 'all') {
    const all = latestTimes(nextAfter, first, cutoff, MISFIRE_ALL_LIMIT);
    for (const at of all.times) fires.push({ at, cause: 'catch_up' });
    dropped = all.dropped;
  }
  let at = first >= cutoff ? first : nextAfter(cutoff - 1);
  for (; at !== undefined && at <= now; at = nextAfter(at)) fires.push({ at, cause: 'schedule' });
  return { fires, dropped, next: at };
}

/** The latest `limit` times in [first, before), in order, and what is left out before them. */
function latestTimes(
  nextAfter: NextAfter,
  first: number,
  before: number,
  limit: number,
): { times: number[]; dropped: DroppedTimes | undefined } {
  // Forward while that is cheap: most gaps hold fewer times than the limit.
  const times: number[] = [];
  for (let at: number | undefined = first; at !== undefined && at < before; at = nextAfter(at)) {
    if (times.length === limit) return latestBackward(nextAfter, first, before, limit);
    times.push(at);
  }
  return { times, dropped: undefined };
}

function latestBackward(
  nextAfter: NextAfter,
  first: number,
  before: number,
  limit: number,
): { times: number[]; dropped: DroppedTimes } {
  const times: number[] = [];
  let at = latestBefore(nextAfter, first, before);
  for (; at !== undefined && times.length < limit; at = latestBefore(nextAfter, first, at)) times.push(at);
  times.reverse();
  // The caller saw more than `limit` times, so the search stopped on the latest one left out.
  const lastDropped = at ?? first;
  let count = 0;
  let more = false;
  for (let t: number | undefined = first; t !== undefined && t <= lastDropped; t = nextAfter(t)) {
    if (count === DROPPED_COUNT_LIMIT) {
      more = true;
      break;
    }
    count++;
  }
  return { times, dropped: { count, more, first, last: lastDropped } };
}
