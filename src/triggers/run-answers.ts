// The answers requests with `respond: wait` are waiting for: a run answers when a `respond`
// action runs (and goes on), or else when it ends, with its outcome and its actions'
// results. A request waits up to its respond_timeout on the engine clock; then it is
// answered 202 and the run goes on unwatched.
import type { Clock } from '../clock.js';
import type { RunResponse } from './actions/action-runner.js';

export type RunAnswer =
  | { kind: 'respond'; response: RunResponse }
  | {
      kind: 'ended';
      status: 'succeeded' | 'failed';
      /** Which action failed and how, for the log (the caller is told only which action). */
      error: string | null;
      /** Each action's result by position (null when it returned none or did not run). */
      outputs: unknown[];
      /** The first failed action's position, if any. */
      failedAt: number | undefined;
    };

export class RunAnswers {
  private readonly waiting = new Map<string, (answer: RunAnswer | undefined) => void>();

  constructor(private readonly clock: Clock) {}

  /** Resolves with the run's answer, or undefined when none came within `timeoutMs`. Call before the run starts. */
  expect(runId: string, timeoutMs: number): Promise<RunAnswer | undefined> {
    return new Promise((resolve) => {
      const cancel = this.clock.setTimeout(() => settle(undefined), timeoutMs);
      const settle = (answer: RunAnswer | undefined) => {
        cancel();
        this.waiting.delete(runId);
        resolve(answer);
      };
      this.waiting.set(runId, settle);
    });
  }

  /** Whether a request still waits for this run (only then is a result worth gathering). */
  watched(runId: string): boolean {
    return this.waiting.has(runId);
  }

  answer(runId: string, answer: RunAnswer): void {
    this.waiting.get(runId)?.(answer);
  }
}
