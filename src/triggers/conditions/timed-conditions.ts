// Turns the schedule and `at` conditions of every enabled instance into scheduler
// entries, records each fire time, and fires the instance when its compare conditions
// hold. At start, the times missed while the engine was down (since the last recorded
// fire) fire as the trigger's misfire policy says (planMissed), as a late timer's do.
// Each time, missed or not, is claimed in the fire's commit (a unique key on instance,
// condition and time): when several nodes share the database, every one schedules it (and
// catches it up) and exactly one fires it.
// Across a reload the old generation's times are handed over: a condition that did not
// change goes on from the first time its predecessor had not fired, so no time fires twice
// and none falls between the two.
import { canonicalJson } from '../../config/config-hash.js';
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import type { Telemetry } from '../../telemetry.js';
import type { ScheduleRepo } from '../../store/schedule-repo.js';
import type { UnitOfWork } from '../../store/writes.js';
import type { InstanceCatalog, TriggerInstance } from '../instance-catalog.js';
import { conditionsTrace } from '../run-trace.js';
import type { FireCause, TriggerFirer } from '../trigger-firer.js';
import type { ConditionNow } from './condition-watcher.js';
import { cronTimes } from './cron-times.js';
import { MISFIRE_ALL_LIMIT, planMissed, type DroppedTimes } from './misfire.js';
import { Scheduler, type ScheduleEntry } from './scheduler.js';

export interface TimedConditionsDeps {
  catalog: InstanceCatalog;
  /** Reads when each schedule last fired. */
  schedules: ScheduleRepo;
  store: UnitOfWork;
  firer: TriggerFirer;
  clock: Clock;
  log: Logger;
  telemetry: Telemetry;
  /** Whether the instance's compare conditions hold now. */
  holds(instance: TriggerInstance): boolean;
  /** Its compare conditions' values now, for the run's trace. */
  explain(instance: TriggerInstance): ConditionNow[];
}

/** What a stopped generation's schedules hand over, by `instance/condition`: the condition as it was, and its next time not yet fired. */
export type ScheduleHandover = ReadonlyMap<string, { definition: string; at: number }>;

interface Entry extends ScheduleEntry {
  /** `instance/condition`, as fire times are recorded. */
  key: string;
  /** The condition's canonical JSON: a handed-over time applies only to the same condition. */
  definition: string;
}

export class TimedConditions {
  private readonly scheduler: Scheduler<Entry>;
  private readonly entries: Entry[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: TimedConditionsDeps) {
    this.scheduler = new Scheduler(deps.clock, {
      due: (entry, { at, cause }) => this.track(this.fire(entry, at, cause)),
      dropped: (entry, dropped) => this.warnDropped(entry, dropped),
    });
    for (const instance of deps.catalog.all()) {
      if (!instance.config.enabled) continue;
      instance.trigger.conditions.forEach((condition, index) => {
        const entry = {
          instanceId: instance.id,
          condition: index,
          key: `${instance.id}/${index}`,
          definition: canonicalJson(condition),
          misfire: { policy: instance.trigger.misfire, graceMs: instance.trigger.misfire_grace },
        };
        if (condition.kind === 'schedule') {
          this.entries.push({ ...entry, nextAfter: cronTimes(condition.schedule, condition.timezone) });
        } else if (condition.kind === 'at') {
          const times = [...condition.at].sort((a, b) => a - b);
          this.entries.push({ ...entry, nextAfter: (ms) => times.find((t) => t > ms) });
        }
      });
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /**
   * Catches up what was missed (as each trigger's misfire policy says), then starts the timer. After a reload,
   * `handover` holds the old generation's unfired times: an unchanged condition starts
   * from its own, which fires at once when it fell due during the swap.
   */
  async start(handover: ScheduleHandover = new Map()): Promise<void> {
    const now = this.deps.clock.now();
    const last = await this.deps.schedules.lastFires();
    // Not awaited one by one: started in one turn, the writes share a group commit.
    const writes: Promise<void>[] = [];
    for (const entry of this.entries) {
      const handed = handover.get(entry.key);
      if (handed?.definition === entry.definition) {
        this.scheduler.add(entry, handed.at);
        continue;
      }
      const since = last.get(entry.key);
      // The first start is the baseline: only times after it can be missed later.
      if (since === undefined) writes.push(this.recordFire(entry, now));
      const first = since === undefined ? undefined : entry.nextAfter(since);
      if (first === undefined || first > now) {
        this.scheduler.add(entry);
        continue;
      }
      const plan = planMissed((ms) => entry.nextAfter(ms), first, now, entry.misfire);
      if (plan.dropped) this.warnDropped(entry, plan.dropped);
      // In time order, in one turn: the fires share a group commit and are queued in order.
      for (const { at, cause } of plan.fires) writes.push(this.fire(entry, at, cause));
      if (plan.next !== undefined) this.scheduler.add(entry, plan.next);
    }
    await Promise.all(writes);
    this.scheduler.start();
  }

  /** Stops the timer and waits for fires it started; resolves to the times not fired yet, for a successor. */
  async stop(): Promise<ScheduleHandover> {
    this.scheduler.stop();
    await Promise.allSettled(this.pending);
    return new Map(this.scheduler.pending().map(({ entry, at }) => [entry.key, { definition: entry.definition, at }]));
  }

  private track(firing: Promise<void>): void {
    const tracked = firing.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private async fire(entry: Entry, at: number, cause: FireCause): Promise<void> {
    const { catalog, firer, log } = this.deps;
    const instance = catalog.get(entry.instanceId);
    if (!instance) return;
    this.deps.telemetry.scheduleFired(
      instance.id,
      cause === 'catch_up' ? 'catch_up' : 'schedule',
      (this.deps.clock.now() - at) / 1000,
    );
    try {
      // Both writes start in this turn, so they share a commit.
      const recorded = this.recordFire(entry, at);
      if (!this.deps.holds(instance)) {
        log.debug({ instance: instance.id, at }, 'schedule due, but the conditions do not hold');
        await recorded;
        return;
      }
      const input = { method: 'SCHEDULE', body: { cause, at: new Date(at).toISOString() }, query: {}, headers: {} };
      const claimedAt = this.deps.clock.now();
      const claim = { kind: 'schedule_claim', instanceId: instance.id, condition: entry.condition, at, claimedAt } as const;
      const trace = instance.hasCompares ? conditionsTrace(this.deps.explain(instance)) : undefined;
      const [, fired] = await Promise.all([recorded, firer.fire(instance, input, cause, undefined, claim, trace)]);
      if (!fired.fired && fired.reason === 'guarded')
        log.debug({ instance: instance.id, at }, 'schedule time fired by another node');
    } catch (error) {
      log.error({ instance: entry.instanceId, reason: (error as Error).message }, 'scheduled fire failed');
    }
  }

  private warnDropped(entry: Entry, dropped: DroppedTimes): void {
    const { count, more, first, last } = dropped;
    this.deps.log.warn(
      { instance: entry.instanceId, condition: entry.condition, dropped: count, more, first: iso(first), last: iso(last) },
      `misfire: all fires at most ${MISFIRE_ALL_LIMIT} missed times of a condition at once; ${more ? 'more than ' : ''}${count} older ones were dropped (${iso(first)} to ${iso(last)})`,
    );
  }

  private async recordFire(entry: Entry, at: number): Promise<void> {
    await this.deps.store.commit([{ kind: 'schedule_fired', instanceId: entry.instanceId, condition: entry.condition, at }]);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
