// The one way a trigger instance fires, whatever caused it (a request, a schedule, its
// conditions becoming true): admit it by the trigger's mode, commit the run with its
// trigger.fired event (and whatever the cause adds, such as a request-log row) in one
// unit of work, then start it. A fire that must claim its sender's idempotency key, pass a
// debounce window or claim a schedule time commits under those guards: the database decides
// them in the same commit, so every node sharing it decides alike, and a refused fire leaves
// nothing but its log row. A request that waits for its run (`respond: wait`) is given the
// run's answer to wait for before the run starts.
import type { Clock } from '../clock.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import type { CommitGuard, Refusal, RunRow, StoreWrite, UnitOfWork } from '../store/writes.js';
import { storedInput } from './input-reads.js';
import type { TriggerInstance } from './instance-catalog.js';
import type { RunAnswer } from './run-answers.js';
import type { RunExecutor } from './run-executor.js';
import { traceColumn, type FireCause, type RunTrace } from './run-trace.js';
import type { TemplateInput } from './template.js';

export type { FireCause } from './run-trace.js';

/** How a fire's event gets into the same commit as the run (the outbox, from outside). */
export interface EventPreparer {
  prepare(
    type: string,
    source: Record<string, string>,
    data: Record<string, unknown>,
  ): { writes: readonly StoreWrite[]; committed(): void; event: { id: string } } | undefined;
}

/** What a fire caused by a request adds: the request's id and summary, and writes for the same commit. */
export interface FiringRequest {
  id: string;
  receivedAt: number;
  summary: { method: string; path: string; content_type: string | null; body_size: number };
  /** The request's log row keeps its whole body: a run that reads the body refers to it instead of copying it. */
  keepsBody: boolean;
  /** Writes that commit with the run (the request's log row), given the new run's id. */
  also(runId: string): readonly StoreWrite[];
  /** What the request's fire commits under, given its run's id: its idempotency key, its debounce window. */
  guards?(runId: string): readonly CommitGuard[];
  /** Writes that commit instead when a guard refuses the fire (the log row saying why). */
  refused(refusal: Refusal): readonly StoreWrite[];
  /** `respond: wait`: how long the request waits for its run's answer. */
  waitsMs?: number;
}

export type FireResult =
  /** With `answer` when the request waits for its run (undefined when none came in time). */
  | { fired: true; run: string; answer?: Promise<RunAnswer | undefined> }
  | { fired: false; reason: 'busy'; detail: string }
  /** A guard refused it: a duplicate, inside a debounce window, a schedule time another node claimed. */
  | { fired: false; reason: 'guarded'; refusal: Refusal };

export interface TriggerFirerDeps {
  store: UnitOfWork;
  executor: RunExecutor;
  events: EventPreparer;
  ids: IdSource;
  clock: Clock;
  log: Logger;
  /**
   * Where nodes share the store, this node's id: the runs it fires are its own (another
   * node takes them over if it dies). Unset on SQLite, where one engine has the file and
   * a run row need not carry 25 bytes to say so.
   */
  runsOwnedBy?: string;
}

export class TriggerFirer {
  private readonly committing = new Set<Promise<unknown>>();

  constructor(private readonly deps: TriggerFirerDeps) {}

  /** Rejects (with StoreUnavailable on a storage fault) when the fire could not be committed; nothing then runs. */
  fire(
    instance: TriggerInstance,
    input: TemplateInput,
    cause: FireCause,
    request?: FiringRequest,
    /** A fire without a request (a schedule time) commits under this guard; a request brings its own. */
    guard?: CommitGuard,
    /** What the run's trace records of why it started (its conditions' values, a replay's origin). */
    trace: RunTrace = {},
  ): Promise<FireResult> {
    const firing = this.commit(instance, input, cause, request, guard, trace);
    // The tracked copy only says when committing ends; the caller handles the rejection.
    const tracked = firing.then(ignore, ignore).finally(() => this.committing.delete(tracked));
    this.committing.add(tracked);
    return firing;
  }

  /** Resolves once no fire is being committed and no run is in flight (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.committing.size > 0) await Promise.allSettled(this.committing);
    await this.deps.executor.settled();
    if (this.committing.size > 0) await this.settled();
  }

  private async commit(
    instance: TriggerInstance,
    input: TemplateInput,
    cause: FireCause,
    request: FiringRequest | undefined,
    guard: CommitGuard | undefined,
    trace: RunTrace,
  ): Promise<FireResult> {
    const { executor, ids, clock, log } = this.deps;
    const slot = executor.slots.reserve(instance.id, instance.trigger);
    if (!slot.ok) {
      log.info({ instance: instance.id, cause, reason: slot.reason }, 'fire dropped');
      return { fired: false, reason: 'busy', detail: slot.reason };
    }
    const runId = ids.next('run');
    const run: RunRow = {
      id: runId,
      instance_id: instance.id,
      trigger_id: instance.trigger.id,
      system_id: instance.config.system,
      request_id: request?.id ?? null,
      created_at: request?.receivedAt ?? clock.now(),
      status: 'pending',
      // The request log keeps the request; the run keeps only what its actions read of it,
      // and of the body not even that when the log row has it.
      input: storedInput(input, instance.inputReads, request?.keepsBody === true),
      finished_at: null,
      error: null,
      trace: null,
    };
    try {
      // trigger.fired and its deliveries commit with the run: a crash cannot keep one without the other.
      const fired = this.deps.events.prepare(
        'trigger.fired',
        { system: run.system_id, trigger: run.trigger_id, instance: run.instance_id },
        {
          instance: run.instance_id,
          trigger: run.trigger_id,
          system: run.system_id,
          run: runId,
          cause,
          request: request?.summary ?? null,
        },
      );
      // Its trace names the trigger.fired event when one was kept (a subscriber listens), so the trace shows its deliveries.
      run.trace = traceColumn({ ...(cause !== 'webhook' && { cause }), ...trace, ...(fired && { fired: fired.event.id }) });
      const writes: StoreWrite[] = [
        ...(request?.also(runId) ?? []),
        { kind: 'run', row: run, node: this.deps.runsOwnedBy },
        { kind: 'fire_counted', instanceId: run.instance_id, at: run.created_at },
        ...(fired?.writes ?? []),
      ];
      const guards = request?.guards?.(runId) ?? (guard ? [guard] : undefined);
      if (guards && guards.length > 0) writes.unshift({ kind: 'guard', guards, otherwise: (why) => request?.refused(why) ?? [] });
      const refusal = await this.deps.store.commit(writes);
      if (refusal) {
        executor.slots.release(instance.id);
        return { fired: false, reason: 'guarded', refusal };
      }
      fired?.committed();
    } catch (error) {
      executor.slots.release(instance.id);
      throw error;
    }
    // Expected before the run starts: a fast run may answer before the caller looks.
    const answer = request?.waitsMs !== undefined ? executor.answers.expect(runId, request.waitsMs) : undefined;
    executor.submit(run, input, instance.trigger);
    return { fired: true, run: runId, ...(answer && { answer }) };
  }
}

function ignore(): void {}
