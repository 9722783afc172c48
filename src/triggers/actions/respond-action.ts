// `respond: { status, headers, body }`: the answer a request waiting for its run gets
// (`respond: wait`), from templates over the request. It answers once, when it runs; the
// run goes on. Without a waiting request (a schedule, `respond: accepted`, a timeout that
// came first, a resumed run) it only records what it would have answered.
import type { RespondAction } from '../../config/schema.js';
import { isTemplated, render, type TemplateInput } from '../template.js';
import type { ActionRunner, RunResponse } from './action-runner.js';

export const respondAction: ActionRunner<RespondAction> = {
  target: () => 'respond',
  resolve: (action, input) => response(action, input),
  templated: (action) => isTemplated(action.respond),
  run: (action, ctx) => Promise.resolve({ response: response(action, ctx.input) }),
};

function response(action: RespondAction, input: TemplateInput): RunResponse {
  const { status, headers, body } = action.respond;
  const rendered = Number(render(status, input));
  if (!Number.isInteger(rendered) || rendered < 200 || rendered > 599)
    throw new Error(`respond status ${JSON.stringify(render(status, input))} is not a status from 200 to 599`);
  const values = render(headers, input) as Record<string, unknown>;
  const answerHeaders: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    const text = value === undefined || value === null ? '' : String(value);
    // A rendered value could carry a line break from the request: refused, as a header must not be split.
    if (/[^\t -~\x80-\xff]/.test(text)) throw new Error(`respond header ${name} would hold a line break or control character`);
    answerHeaders[name] = text;
  }
  return { status: rendered, headers: answerHeaders, body: render(body, input) };
}
