// `switchboard instances`: every trigger instance with what an operator asks first
// (views/instance-views.ts), as it serves: with the overrides on top of the YAML.
// `--disable ID` and `--enable ID` store an override (`switchboard overrides` lists and
// clears them); a running engine applies it within a second.
import { applyOverrides, overrideName, setEnabled } from '../../overrides/overrides.js';
import type { Store } from '../../store/store.js';
import type { Config } from '../../config/schema.js';
import { instanceViews } from '../../views/instance-views.js';
import { jsonOption, storeOptions, UsageError, type OptionValues } from '../options.js';
import { withStore } from '../with-store.js';

export const options = {
  ...storeOptions,
  ...jsonOption,
  enable: { type: 'string', value: 'ID' },
  disable: { type: 'string', value: 'ID' },
} as const;

export async function instances(values: OptionValues<typeof options>): Promise<number> {
  if (values.enable !== undefined && values.disable !== undefined) throw new UsageError('give --enable or --disable, not both');
  return withStore(values, async (store, loaded) => {
    const toggled = values.enable ?? values.disable;
    if (toggled !== undefined) return toggle(store, loaded.config, toggled, values.enable !== undefined);
    const serving = applyOverrides(loaded.config, await store.overrides.all());
    const views = instanceViews(serving, await store.runs.allStats());
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

async function toggle(store: Store, yaml: Config, id: string, enabled: boolean): Promise<number> {
  const instance = yaml.instances.find((i) => i.id === id);
  if (!instance) {
    const ids = yaml.instances.map((i) => i.id);
    console.error(`switchboard: no instance "${id}" in the config${ids.length > 0 ? `; instances: ${ids.join(', ')}` : ''}`);
    return 1;
  }
  const write = setEnabled(id, enabled, 'cli', Date.now());
  await store.commit([write]);
  const name = overrideName({ target: 'instance', id, field: 'enabled' });
  const yamlSays = instance.enabled === enabled ? 'as the YAML says' : `over the YAML's enabled: ${instance.enabled}`;
  console.log(
    `${id} ${enabled ? 'enabled' : 'disabled'} by an override (${yamlSays}); a running engine applies it within a second`,
  );
  console.log(`\`switchboard overrides --clear ${name}\` goes back to the YAML`);
  return 0;
}
