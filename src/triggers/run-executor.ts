// Runs fired triggers' actions in order, after the 202 has gone out, recording the
// outcome of every action. A run that was accepted but not finished when the process
// died is resumed at start: actions already recorded as succeeded are skipped, the
// rest run again (at-least-once). Each run belongs to the node that fired it; where nodes
// share the database, a run whose node stopped or fell silent is taken over by another
// (one of them: the store hands each run to one node) and resumed there.
import type { Clock } from '../clock.js';
import type { TriggerConfig } from '../config/schema.js';
import type { ModuleHost } from '../drivers/module-host.js';
import { StoreUnavailable } from '../errors.js';
import type { EventSink } from '../event-sink.js';
import type { Logger } from '../logger.js';
import { LIVE_WITHIN_MS } from '../store/node-liveness.js';
import type { RunsRepo } from '../store/runs-repo.js';
import type { RunActionRow, RunRow, StoreWrite, UnitOfWork } from '../store/writes.js';
import type { Telemetry } from '../telemetry.js';
import type { ActionContext, ActionDetail } from './actions/action-runner.js';
import { runnerFor } from './actions/index.js';
import { RunAnswers } from './run-answers.js';
import { RunSlots } from './run-slots.js';
import { detailColumn } from './run-trace.js';
import type { TemplateInput } from './template.js';

/** How long a run waits before it tries again to record an outcome the store could not take. */
export const RECORD_RETRY_MS = 1_000;
/**
 * How long a run that failed for a reason of ours (a read of the store that broke off, say)
 * waits before it runs again from its recorded actions. Real time. Without this it would stay
 * pending until a restart, and on a cluster no other node takes over a live node's runs.
 */
export const RUN_RETRY_MS = 5_000;

export interface RunExecutorDeps {
  /** Reads: unfinished runs, the actions a resumed run already did. */
  runs: RunsRepo;
  store: UnitOfWork;
  modules: ModuleHost;
  clock: Clock;
  log: Logger;
  telemetry: Telemetry;
  /** Sends mail (the `email` action), when the config has a mail server. */
  sendMail?: ActionContext['sendMail'];
  /**
   * A resumed run's input as its templates read it (the body from its request-log row
   * when the run refers to it), and whether that row was gone.
   */
  resumedInput(run: RunRow): Promise<{ input: TemplateInput; bodyMissing: boolean }>;
  /** Where the `emit` action's events go, from the run's system, trigger and instance. */
  events: EventSink;
  /** This node's id: the runs it resumes become its own. */
  node: string;
  /** Whether other nodes share the store (PostgreSQL): only runs of dead nodes are taken then, not every other node's. */
  shared: boolean;
}

export class RunExecutor {
  private readonly active = new Set<Promise<void>>();
  private draining = false;
  /** Runs waiting to run again after a failure of ours (cleared by a drain: they resume at the next start). */
  private readonly retries = new Set<NodeJS.Timeout>();
  readonly slots = new RunSlots();
  /** Requests waiting for their run's result (`respond: wait`). */
  readonly answers: RunAnswers;

  constructor(private readonly deps: RunExecutorDeps) {
    this.answers = new RunAnswers(deps.clock);
  }

  /**
   * Starts a committed run in the background (or queues it, in queued mode); `input` is
   * given for a new run, whose slot was reserved when it was admitted, and read back for
   * a resumed one. A new run carries the trigger it fired under: it runs those actions to
   * the end even when a reload changes or removes the trigger meanwhile.
   */
  submit(run: RunRow, input: TemplateInput | undefined, trigger: TriggerConfig | undefined): void {
    const mode = trigger?.mode ?? 'parallel';
    let settle = () => {};
    const done = new Promise<void>((resolve) => (settle = resolve)).finally(() => this.active.delete(done));
    this.active.add(done);
    this.slots.enter(run.instance_id, mode, input !== undefined, () => {
      this.execute(run, trigger, input)
        .catch((error: unknown) => {
          this.deps.log.error(
            { run: run.id, reason: (error as Error).message, retryInMs: RUN_RETRY_MS },
            'run could not be recorded; it runs again from its recorded actions',
          );
          this.retryLater(run, trigger);
        })
        .finally(() => {
          this.slots.leave(run.instance_id);
          settle();
        });
    });
  }

  /** Resumes every run left unfinished by an earlier process, with its trigger as `triggers` (the serving config) has it. */
  async resumeUnfinished(triggers: ReadonlyMap<string, TriggerConfig>): Promise<number> {
    const { runs, node, shared, log } = this.deps;
    const silentBefore = shared ? Date.now() - LIVE_WITHIN_MS : Infinity;
    const takenOver = (taken: { runId: string; from: string | null }[]) =>
      log.info(
        { runs: taken.length, from: [...new Set(taken.map((t) => t.from))] },
        shared ? 'took over runs from a node that stopped or fell silent' : 'took over the runs of the last engine',
      );
    const resumed = await runs.takeOver(node, silentBefore, takenOver);
    for (const run of resumed) this.submit(run, undefined, triggers.get(run.trigger_id));
    if (resumed.length > 0) log.info({ runs: resumed.length }, 'resuming unfinished runs');
    return resumed.length;
  }

  get inFlight(): number {
    return this.active.size;
  }

  /** Resolves once no run is in flight (runs submitted meanwhile are waited for too). */
  async settled(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled(this.active);
  }

  /**
   * Waits for the runs in flight; those still going after `timeoutMs` resume at the next
   * start. The deadline is real time, not the engine clock: a shutdown must end even when
   * a test holds the clock still.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.draining = true;
    for (const retry of this.retries) clearTimeout(retry);
    this.retries.clear();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.allSettled(this.active), timeout]);
    clearTimeout(timer);
  }

  private retryLater(run: RunRow, trigger: TriggerConfig | undefined): void {
    if (this.draining) return;
    const retry = setTimeout(() => {
      this.retries.delete(retry);
      if (!this.draining) this.submit(run, undefined, trigger);
    }, RUN_RETRY_MS);
    retry.unref();
    this.retries.add(retry);
  }

  private async execute(run: RunRow, trigger: TriggerConfig | undefined, freshInput?: TemplateInput): Promise<void> {
    const { runs, clock, log } = this.deps;
    if (!trigger) {
      const error = `trigger ${run.trigger_id} is no longer in the config`;
      const finishedAt = clock.now();
      await this.record(run, [{ kind: 'run_finished', id: run.id, status: 'failed', finishedAt, error }]);
      this.answers.answer(run.id, { kind: 'ended', status: 'failed', error, outputs: [], failedAt: undefined });
      // Not by trigger: the config no longer names it, and labels are what the config bounds.
      return;
    }
    // A resumed run skips the actions an earlier process already recorded as succeeded.
    const succeeded = new Set(
      freshInput ? [] : (await runs.actions(run.id)).filter((a) => a.status === 'succeeded').map((a) => a.position),
    );
    const input = freshInput ?? (await this.resumedInput(run));
    const todo = [...trigger.actions.keys()].filter((position) => !succeeded.has(position));
    const failures: string[] = [];
    if (todo.length === 0) {
      const finishedAt = clock.now();
      await this.record(run, [{ kind: 'run_finished', id: run.id, status: 'succeeded', finishedAt, error: null }]);
      this.deps.telemetry.runFinished(run.trigger_id, 'succeeded', (finishedAt - Number(run.created_at)) / 1000);
      this.answers.answer(run.id, { kind: 'ended', status: 'succeeded', error: null, outputs: [], failedAt: undefined });
      return;
    }
    // Gathered only for a request that waits for this run (`respond: wait`).
    const outputs: unknown[] | undefined = this.answers.watched(run.id) ? trigger.actions.map(() => null) : undefined;
    let failedAt: number | undefined;

    for (const [n, position] of todo.entries()) {
      const action = trigger.actions[position]!;
      const runner = runnerFor(action);
      const target = runner.target(action);
      const started = clock.now();
      let error: string | null = null;
      let detail: ActionDetail | undefined;
      try {
        detail = await runner.run(action, {
          systemId: run.system_id,
          input,
          modules: this.deps.modules,
          clock,
          sendMail: this.deps.sendMail,
          emit: async (type, data) =>
            (
              await this.deps.events.emit(
                type,
                { system: run.system_id, trigger: run.trigger_id, instance: run.instance_id },
                data,
              )
            )?.id,
        });
      } catch (thrown) {
        error = (thrown as Error).message;
        log.warn({ run: run.id, instance: run.instance_id, action: position, target, reason: error }, 'action failed');
        failedAt ??= position;
        failures.push(`action ${position + 1} (${target}): ${error}`);
      }
      const stop = error !== null && !action.continue_on_error;
      const last = stop || n === todo.length - 1;
      const finishedAt = clock.now();
      // The last record and the run's end share one commit. A run that went past failed
      // actions (continue_on_error) still succeeded; its error says what failed.
      const outcome: RunActionRow = {
        run_id: run.id,
        position,
        kind: action.kind,
        target,
        status: error === null ? 'succeeded' : 'failed',
        error,
        started_at: started,
        finished_at: finishedAt,
        detail: detailColumn(detail),
      };
      const writes: StoreWrite[] = [];
      if (error !== null) writes.push({ kind: 'action_error_counted', instanceId: run.instance_id });
      let status: 'succeeded' | 'failed' | undefined;
      if (last) {
        // The last outcome rides on the run's end: one update, no action row.
        const runError = failures.length > 0 ? failures.join('; ') : null;
        status = stop ? 'failed' : 'succeeded';
        writes.push({ kind: 'run_finished', id: run.id, status, finishedAt, error: runError, lastAction: outcome });
      } else {
        writes.push({ kind: 'run_action', row: outcome });
      }
      await this.record(run, writes);
      if (error !== null) this.deps.telemetry.actionFailed(run.trigger_id);
      if (status) this.deps.telemetry.runFinished(run.trigger_id, status, (finishedAt - Number(run.created_at)) / 1000);
      // A waiting request is answered once its answer is recorded: by a respond action, or by the run's end.
      if (outputs) {
        if (detail?.result !== undefined) outputs[position] = detail.result;
        if (detail?.response) this.answers.answer(run.id, { kind: 'respond', response: detail.response });
        else if (status) {
          const ended = { status, error: failures.length > 0 ? failures.join('; ') : null, outputs, failedAt };
          this.answers.answer(run.id, { kind: 'ended', ...ended });
        }
      }
      if (stop) return;
    }
  }

  private async resumedInput(run: RunRow): Promise<TemplateInput> {
    const { input, bodyMissing } = await this.deps.resumedInput(run);
    if (bodyMissing)
      this.deps.log.warn(
        { run: run.id, request: run.request_id },
        'resumed run: its request-log row is gone, so its body is empty',
      );
    return input;
  }

  /**
   * Records an outcome; while the store is unavailable (locked, full) it tries again
   * every second, so a run's record catches up once the fault clears. A shutdown stops
   * the tries: the run stays pending and resumes at the next start.
   */
  private async record(run: RunRow, writes: readonly StoreWrite[]): Promise<void> {
    for (;;) {
      try {
        await this.deps.store.commit(writes);
        return;
      } catch (error) {
        if (!(error instanceof StoreUnavailable) || this.draining) throw error;
        this.deps.log.warn({ run: run.id, fault: error.fault }, 'run outcome not recorded yet: the store is unavailable');
        await new Promise((resolve) => setTimeout(resolve, RECORD_RETRY_MS).unref());
      }
    }
  }
}
