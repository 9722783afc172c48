// `switchboard instances`: every trigger instance with what an operator asks first
// (views/instance-views.ts).
import { instanceViews } from '../../views/instance-views.js';
import { jsonOption, storeOptions, type OptionValues } from '../options.js';
import { withStore } from '../with-store.js';

export const options = { ...storeOptions, ...jsonOption } as const;

export async function instances(values: OptionValues<typeof options>): Promise<number> {
  return withStore(values, async (store, loaded) => {
    const views = instanceViews(loaded.config, await store.runs.allStats());
    if (values.json) {
      for (const view of views) console.log(JSON.stringify(view));
      return 0;
    }
    if (views.length === 0) {
      console.log('no instances in the config');
      return 0;
    }
    const rows = [
      ['instance', 'state', 'exec', 'fired', 'last fired', 'action errors', 'comparison errors', 'triggered'],
      ...views.map((v) => [
        v.id,
        !v.enabled ? 'disabled' : v.reachable ? 'reachable' : 'no webhook',
        v.exec ? 'yes' : 'no',
        String(v.trigger_count),
        v.last_fired_at ?? '-',
        String(v.action_errors),
        String(v.comparison_errors),
        v.triggered === null ? '-' : v.triggered ? 'yes' : 'no',
      ]),
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    for (const row of rows)
      console.log(
        row
          .map((cell, c) => cell.padEnd(widths[c]!))
          .join('  ')
          .trimEnd(),
      );
    return 0;
  });
}
