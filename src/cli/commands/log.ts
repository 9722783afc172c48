// `switchboard log`: the request log, newest first, filtered by instance and outcome.
import { intOption, type CliOptions } from '../options.js';
import { withStore } from '../with-store.js';

export async function log(values: CliOptions): Promise<number> {
  return withStore(values, async (store) => {
    const rows = await store.requests.list({
      instanceId: values.instance,
      outcome: values.outcome,
      limit: intOption(values, 'limit') ?? 50,
    });
    for (const row of rows) {
      if (values.json) {
        console.log(JSON.stringify({ ...row, headers: JSON.parse(row.headers), body: row.body?.toString('utf8') ?? null }));
      } else {
        const when = new Date(Number(row.received_at)).toISOString();
        console.log(
          `${when}  ${row.status}  ${row.outcome.padEnd(18)} ${row.method.padEnd(6)} ${row.path}  ${row.latency_ms}ms${row.run_id ? `  ${row.run_id}` : ''}`,
        );
      }
    }
    if (rows.length === 0 && !values.json)
      console.log('no requests recorded' + (values.instance || values.outcome ? ' that match' : ''));
    return 0;
  });
}
