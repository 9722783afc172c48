// `switchboard runs`: fired triggers' runs, newest first, with each action's outcome on request.
import { redact } from '../../redact.js';
import { runInput } from '../../run-input.js';
import type { RunStatus } from '../../store/tables.js';
import { intOption, jsonOption, limitOption, oneOf, storeOptions, type OptionValues } from '../options.js';
import { withStore } from '../with-store.js';

const STATUSES: readonly RunStatus[] = ['pending', 'succeeded', 'failed'];

export const options = {
  ...storeOptions,
  instance: { type: 'string', value: 'ID' },
  status: { type: 'string', value: STATUSES.join('|') },
  ...limitOption,
  ...jsonOption,
  actions: { type: 'boolean' },
} as const;

export async function runs(values: OptionValues<typeof options>): Promise<number> {
  const status = oneOf('status', STATUSES, values.status);
  const limit = intOption(values, 'limit') ?? 50;
  return withStore(values, async (store) => {
    const rows = await store.runs.list({ instanceId: values.instance, status, limit });
    for (const run of rows) {
      const actions = values.actions || values.json ? await store.runs.actions(run.id) : [];
      if (values.json) {
        // The input as the run's templates read it (its body may be its request's); printed through the one redaction.
        const { input } = await runInput(store, run);
        console.log(JSON.stringify({ ...run, input: redact(input), actions }));
        continue;
      }
      const when = new Date(Number(run.created_at)).toISOString();
      const took = run.finished_at === null ? '' : `  ${Number(run.finished_at) - Number(run.created_at)}ms`;
      console.log(
        `${run.id}  ${when}  ${run.status.padEnd(9)}  ${run.instance_id} (${run.trigger_id} on ${run.system_id})${took}${run.error ? `  ${run.error}` : ''}`,
      );
      for (const action of actions) {
        console.log(
          `    #${action.position + 1}  ${action.target}  ${action.status}${action.error ? `  ${action.error}` : ''}  ${Number(action.finished_at) - Number(action.started_at)}ms`,
        );
      }
    }
    if (rows.length === 0 && !values.json) console.log('no runs recorded' + (values.instance || status ? ' that match' : ''));
    return 0;
  });
}
