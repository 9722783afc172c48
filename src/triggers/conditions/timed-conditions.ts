// Turns the schedule and `at` conditions of every enabled instance into scheduler
// entries, records each fire time, and fires the instance when its compare conditions
// hold. With `catch_up: true`, a time missed while the engine was down fires once at start.
import type { Clock } from '../../clock.js';
import type { Logger } from '../../logger.js';
import type { Telemetry } from '../../telemetry.js';
import type { ScheduleRepo } from '../../store/schedule-repo.js';
import type { UnitOfWork } from '../../store/writes.js';
import type { InstanceCatalog, TriggerInstance } from '../instance-catalog.js';
import type { FireCause, TriggerFirer } from '../trigger-firer.js';
import { cronTimes } from './cron-times.js';
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
}

export class TimedConditions {
  private readonly scheduler: Scheduler;
  private readonly entries: ScheduleEntry[] = [];
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: TimedConditionsDeps) {
    this.scheduler = new Scheduler(deps.clock, (entry, at) => this.track(this.fire(entry, at, 'schedule')));
    for (const instance of deps.catalog.all()) {
      if (!instance.config.enabled) continue;
      instance.trigger.conditions.forEach((condition, index) => {
        if (condition.kind === 'schedule') {
          const next = cronTimes(condition.schedule, condition.timezone);
          this.entries.push({ instanceId: instance.id, condition: index, nextAfter: next });
        } else if (condition.kind === 'at') {
          const times = [...condition.at].sort((a, b) => a - b);
          this.entries.push({ instanceId: instance.id, condition: index, nextAfter: (ms) => times.find((t) => t > ms) });
        }
      });
    }
  }

  get size(): number {
    return this.entries.length;
  }

  /** Catches up what was missed (where asked), then starts the timer. */
  async start(): Promise<void> {
    const now = this.deps.clock.now();
    const last = await this.deps.schedules.lastFires();
    // Not awaited one by one: started in one turn, the writes share a group commit.
    const writes: Promise<void>[] = [];
    for (const entry of this.entries) {
      const key = `${entry.instanceId}/${entry.condition}`;
      const since = last.get(key);
      // The first start is the baseline: only times after it can be missed later.
      if (since === undefined) writes.push(this.recordFire(entry, now));
      else if (this.deps.catalog.get(entry.instanceId)?.trigger.catch_up) {
        const missed = entry.nextAfter(since);
        if (missed !== undefined && missed <= now) writes.push(this.fire(entry, missed, 'catch_up'));
      }
      this.scheduler.add(entry);
    }
    await Promise.all(writes);
    this.scheduler.start();
  }

  /** Stops the timer and waits for fires it started. */
  async stop(): Promise<void> {
    this.scheduler.stop();
    await Promise.allSettled(this.pending);
  }

  private track(firing: Promise<void>): void {
    const tracked = firing.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private async fire(entry: ScheduleEntry, at: number, cause: FireCause): Promise<void> {
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
      await Promise.all([recorded, firer.fire(instance, input, cause)]);
    } catch (error) {
      log.error({ instance: entry.instanceId, reason: (error as Error).message }, 'scheduled fire failed');
    }
  }

  private recordFire(entry: ScheduleEntry, at: number): Promise<void> {
    return this.deps.store.commit([{ kind: 'schedule_fired', instanceId: entry.instanceId, condition: entry.condition, at }]);
  }
}
