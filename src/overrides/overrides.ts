// What an operator changes at run time on top of the YAML (from the admin API or the CLI):
// stored as overrides (one row per changed field), applied to the config each time a
// generation is built, so they survive reloads and restarts until cleared. The YAML stays
// the operator's source of truth in git; an override that differs from it is said to
// shadow it, and `check`, reload, the API and the page say so.
import type { Config } from '../config/schema.js';
import type { OverrideRow } from '../store/overrides-repo.js';
import type { StoreWrite } from '../store/writes.js';

/** The fields an override can change: an instance's `enabled`. */
export const OVERRIDABLE = { instance: ['enabled'] } as const;

export interface OverrideKey {
  target: 'instance';
  id: string;
  field: 'enabled';
}

/** An override as the API, the CLI and the page show it. */
export interface OverrideView extends OverrideKey {
  value: unknown;
  /** What the YAML says, or undefined when the YAML has no such instance (any more). */
  yaml: unknown;
  /** `shadows`: differs from the YAML; `agrees`: the same value; `unused`: the YAML has no such instance. */
  effect: 'shadows' | 'agrees' | 'unused';
  set_at: string;
  set_by: string;
}

/** `instance/trig-lobby/enabled`: how the CLI and the API name an override. */
export function overrideName(key: OverrideKey): string {
  return `${key.target}/${key.id}/${key.field}`;
}

/** An override's name parsed, or a message saying what a name looks like. */
export function parseOverrideName(name: string): OverrideKey | string {
  const [target, id, field, ...rest] = name.split('/');
  const example = 'write TARGET/ID/FIELD, such as instance/trig-lobby-alerts/enabled';
  if (rest.length > 0 || !target || !id || !field) return `"${name}" is not an override's name; ${example}`;
  if (target !== 'instance') return `overrides change instances only, not "${target}"; ${example}`;
  if (field !== 'enabled') return `an instance's override changes "enabled" only, not "${field}"; ${example}`;
  return { target, id, field };
}

export function setEnabled(id: string, enabled: boolean, by: string, at: number): StoreWrite {
  return {
    kind: 'override_set',
    row: { target: 'instance', id, field: 'enabled', value: JSON.stringify(enabled), set_at: at, set_by: by },
  };
}

export function cleared(key: OverrideKey): StoreWrite {
  return { kind: 'override_cleared', ...key };
}

/** The config with the overrides applied (the YAML's own config is left as it was). */
export function applyOverrides(config: Config, rows: readonly OverrideRow[]): Config {
  const enabled = new Map<string, boolean>();
  for (const row of rows) if (row.target === 'instance' && row.field === 'enabled') enabled.set(row.id, parsed(row) === true);
  if (enabled.size === 0) return config;
  return {
    ...config,
    instances: config.instances.map((i) => (enabled.has(i.id) ? { ...i, enabled: enabled.get(i.id)! } : i)),
  };
}

/** Each override with what the YAML says and whether it shadows it. */
export function overrideViews(yaml: Config, rows: readonly OverrideRow[]): OverrideView[] {
  const instances = new Map(yaml.instances.map((i) => [i.id, i]));
  return rows.flatMap((row) => {
    if (row.target !== 'instance' || row.field !== 'enabled') return [];
    const value = parsed(row);
    const yamlValue = instances.get(row.id)?.enabled;
    const effect = yamlValue === undefined ? 'unused' : yamlValue === value ? 'agrees' : 'shadows';
    return [
      {
        target: 'instance',
        id: row.id,
        field: 'enabled',
        value,
        yaml: yamlValue,
        effect,
        set_at: new Date(row.set_at).toISOString(),
        set_by: row.set_by,
      } satisfies OverrideView,
    ];
  });
}

/** One line per override that shadows the YAML: for `check`, reload's outcome and the log. */
export function shadowNotes(yaml: Config, rows: readonly OverrideRow[]): string[] {
  return overrideViews(yaml, rows)
    .filter((v) => v.effect === 'shadows')
    .map(
      (v) =>
        `${overrideName(v)}: the YAML says ${JSON.stringify(v.yaml)}, an override set by ${v.set_by} at ${v.set_at} says ${JSON.stringify(v.value)} (\`switchboard overrides --clear ${overrideName(v)}\` goes back to the YAML)`,
    );
}

function parsed(row: OverrideRow): unknown {
  try {
    return JSON.parse(row.value);
  } catch {
    return undefined;
  }
}
