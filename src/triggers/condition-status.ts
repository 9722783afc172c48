// Keeps what `switchboard instances` shows of an instance's conditions: whether they held
// when last evaluated (stored when it changes) and how many comparisons could not be made
// (counted, a commit per evaluation that had any). Off the request path: a failed write is
// logged, never thrown at the state change that caused it.
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { UnitOfWork } from '../store/writes.js';
import type { ConditionStatus } from './conditions/condition-watcher.js';

export class ConditionStatusRecorder implements ConditionStatus {
  private readonly held = new Map<string, boolean>();

  constructor(
    private readonly store: UnitOfWork,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  evaluated(instanceId: string, held: boolean, errors: number): void {
    if (this.held.get(instanceId) === held && errors === 0) return;
    this.held.set(instanceId, held);
    this.store
      .commit([{ kind: 'conditions_evaluated', instanceId, triggered: held, errors, at: this.clock.now() }])
      .catch((error: Error) => this.log.warn({ instance: instanceId, reason: error.message }, 'condition status not recorded'));
  }
}
