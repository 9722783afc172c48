// `switchboard overrides`: the runtime changes kept on top of the YAML (an instance disabled
// from the admin API or with `instances --disable`), each with what the YAML says, whether it
// shadows it, and who set it when; `--clear NAME` removes one, so the YAML decides again. A
// running engine applies a change within a second.
import { cleared, overrideName, overrideViews, parseOverrideName } from '../../overrides/overrides.js';
import { jsonOption, storeOptions, UsageError, type OptionValues } from '../options.js';
import { withStore } from '../with-store.js';

export const options = { ...storeOptions, ...jsonOption, clear: { type: 'string', value: 'NAME' } } as const;

export async function overrides(values: OptionValues<typeof options>): Promise<number> {
  const key = values.clear === undefined ? undefined : parseOverrideName(values.clear);
  if (typeof key === 'string') throw new UsageError(key);
  return withStore(values, async (store, { config }) => {
    const views = overrideViews(config, await store.overrides.all());
    if (key) {
      const name = overrideName(key);
      const found = views.find((v) => overrideName(v) === name);
      if (!found) {
        console.error(
          `switchboard: no override ${name}${views.length > 0 ? `; overrides: ${views.map(overrideName).join(', ')}` : ''}`,
        );
        return 1;
      }
      await store.commit([cleared(key)]);
      console.log(
        `${name} cleared: the YAML decides again (${JSON.stringify(found.yaml ?? null)}); a running engine applies it within a second`,
      );
      return 0;
    }
    if (values.json) {
      for (const view of views) console.log(JSON.stringify({ name: overrideName(view), ...view }));
      return 0;
    }
    if (views.length === 0) {
      console.log('no overrides: the YAML decides everything');
      return 0;
    }
    for (const v of views) {
      const effect = {
        shadows: v.field === 'secret' ? "shadows the YAML's configured secret" : `shadows the YAML's ${JSON.stringify(v.yaml)}`,
        agrees: 'agrees with the YAML',
        sets: 'replaces the generated secret (the YAML gives none)',
        unused: 'the YAML has no such instance',
      }[v.effect];
      console.log(`${overrideName(v)} = ${JSON.stringify(v.value)}  (${effect}; set by ${v.set_by} at ${v.set_at})`);
    }
    return 0;
  });
}
