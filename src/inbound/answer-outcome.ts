// What a request with `respond: wait` is answered once its run answers: a `respond`
// action's status, headers and body; else the run's outcome with its actions' results
// (200, or 500 naming the action that failed: why it failed stays in the run's record and
// the engine log); else, past respond_timeout, the 202 of any fire (the run goes on).
import type { RunAnswer } from '../triggers/run-answers.js';
import type { Outcome } from './outcome.js';

export function answerOutcome(run: string, answer: RunAnswer | undefined): Outcome {
  if (!answer) return { status: 202, body: { fired: true, run }, code: 'fired', reason: 'respond_timeout passed', runId: run };
  if (answer.kind === 'respond') {
    const { status, headers, body } = answer.response;
    return { status, headers, body: body ?? '', code: 'fired', runId: run };
  }
  const { status, outputs, failedAt } = answer;
  if (status === 'succeeded') return { status: 200, body: { run, status, outputs }, code: 'fired', runId: run };
  const which = failedAt === undefined ? 'the run' : `action ${failedAt + 1}`;
  return {
    status: 500,
    body: { error: 'run_failed', message: `The run failed at ${which}; its record says why.`, run, status, outputs },
    code: 'run_failed',
    reason: answer.error ?? undefined,
    runId: run,
  };
}
