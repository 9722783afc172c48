// A run's input as its templates read it, for a run read back from the store (a resumed
// run, `switchboard runs`): the parts the run stored, and the body from the run's
// request-log row when the run refers to it instead of keeping a copy.
import { templateBody } from './inbound/stored-body.js';
import type { Store } from './store/store.js';
import type { RunRow } from './store/writes.js';
import { bodyFromRequest, inputOf } from './triggers/input-reads.js';
import type { TemplateInput } from './triggers/template.js';

export interface ReadInput {
  input: TemplateInput;
  /** The run refers to its request's body, but the request-log row is gone: the body is empty. */
  bodyMissing: boolean;
}

export async function runInput(store: Pick<Store, 'requests'>, run: Pick<RunRow, 'input' | 'request_id'>): Promise<ReadInput> {
  const input = inputOf(run.input);
  if (!bodyFromRequest(run.input)) return { input, bodyMissing: false };
  const stored = run.request_id === null ? undefined : await store.requests.stored(run.request_id);
  return stored ? { input: { ...input, body: templateBody(stored) }, bodyMissing: false } : { input, bodyMissing: true };
}
