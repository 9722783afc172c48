// `switchboard log`: the request log, newest first, filtered by instance and outcome, each
// row with why it was refused or not fired.
import { REFUSAL_CODES } from '../../errors.js';
import { requestViewer } from '../../views/request-views.js';
import { intOption, jsonOption, limitOption, oneOf, storeOptions, type OptionValues } from '../options.js';
import { withStore } from '../with-store.js';

/** What a request can come to: fired, not fired (and why), exec, or refused with an error's code. */
/** Fired (run_failed: fired, and the waiting request was told its run failed), not fired and why, exec'd, refused. */
export const OUTCOMES = [
  'fired',
  'run_failed',
  'duplicate',
  'debounced',
  'conditions',
  'busy',
  'exec',
  ...REFUSAL_CODES,
] as const;

export const options = {
  ...storeOptions,
  instance: { type: 'string', value: 'ID' },
  outcome: { type: 'string', value: 'OUTCOME' },
  ...limitOption,
  ...jsonOption,
} as const;

export async function log(values: OptionValues<typeof options>): Promise<number> {
  const outcome = oneOf('outcome', OUTCOMES, values.outcome);
  const limit = intOption(values, 'limit') ?? 50;
  return withStore(values, async (store, { config }) => {
    const rows = await store.requests.list({ instanceId: values.instance, outcome, limit });
    const view = requestViewer(config);
    for (const row of rows) {
      // The log keeps the body as it arrived; it is shown redacted and cut at log_body_limit.
      if (values.json) console.log(JSON.stringify(view(row)));
      else {
        const when = new Date(Number(row.received_at)).toISOString();
        const run = row.run_id ? `  ${row.run_id}` : '';
        const reason = row.reason ? `  ${oneLine(row.reason)}` : '';
        console.log(
          `${when}  ${row.status}  ${row.outcome.padEnd(18)} ${row.method.padEnd(6)} ${row.path}  ${row.latency_ms}ms${run}${reason}`,
        );
      }
    }
    if (rows.length === 0 && !values.json)
      console.log('no requests recorded' + (values.instance || outcome ? ' that match' : ''));
    return 0;
  });
}

/** A reason on one line: it may quote what a caller sent, so control characters are escaped. */
function oneLine(text: string): string {
  // oxlint-disable-next-line no-control-regex -- control characters are what this escapes
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
