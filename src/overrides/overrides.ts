// What an operator changes at run time on top of the YAML (from the admin API or the CLI):
// stored as overrides (one row per changed field), applied to the config each time a
// generation is built, so they survive reloads and restarts until cleared. The YAML stays
// the operator's source of truth in git; an override that differs from it is said to
// shadow it, and `check`, reload, the API and the page say so. Two fields: an instance's
// `enabled`, and its `secret` after a rotation (the new secret, and the old one with the
// time it stops being accepted). A secret is never shown: views say that it was rotated.
import type { Config } from '../config/schema.js';
import type { OverrideRow } from '../store/overrides-repo.js';
import type { StoreWrite } from '../store/writes.js';

/** The fields an override can change. */
export const OVERRIDABLE = { instance: ['enabled', 'secret'] } as const;

export type OverrideField = (typeof OVERRIDABLE.instance)[number];

export interface OverrideKey {
  target: 'instance';
  id: string;
  field: OverrideField;
}

/** A rotated secret as its override keeps it. */
export interface RotatedSecret {
  secret: string;
  /** The secret before the rotation, accepted until `previous_until` (ms), or null. */
  previous: string | null;
  previous_until: number | null;
}

/** An override as the API, the CLI and the page show it. */
export interface OverrideView extends OverrideKey {
  /** The value; for a secret, only that it was rotated and until when the old one passes. */
  value: unknown;
  /** What the YAML says (for a secret: configured or generated), or undefined when the YAML has no such instance (any more). */
  yaml: unknown;
  /** `shadows`: differs from the YAML; `agrees`: the same value; `sets`: the YAML leaves it unset (a generated secret); `unused`: no such instance. */
  effect: 'shadows' | 'agrees' | 'sets' | 'unused';
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
  if (!(OVERRIDABLE.instance as readonly string[]).includes(field))
    return `an instance's override changes ${OVERRIDABLE.instance.join(' or ')}, not "${field}"; ${example}`;
  return { target, id, field: field as OverrideField };
}

export function setEnabled(id: string, enabled: boolean, by: string, at: number): StoreWrite {
  return {
    kind: 'override_set',
    row: { target: 'instance', id, field: 'enabled', value: JSON.stringify(enabled), set_at: at, set_by: by },
  };
}

/** A rotation: `secret` from now on, `previous` accepted too for `graceMs` (0: not at all). */
export function rotateSecret(id: string, secret: string, previous: string, graceMs: number, by: string, at: number): StoreWrite {
  const rotated: RotatedSecret = {
    secret,
    previous: graceMs > 0 ? previous : null,
    previous_until: graceMs > 0 ? at + graceMs : null,
  };
  return {
    kind: 'override_set',
    row: { target: 'instance', id, field: 'secret', value: JSON.stringify(rotated), set_at: at, set_by: by },
  };
}

export function cleared(key: OverrideKey): StoreWrite {
  return { kind: 'override_cleared', ...key };
}

/** The config with the overrides applied (the YAML's own config is left as it was). */
export function applyOverrides(config: Config, rows: readonly OverrideRow[]): Config {
  const changed = new Map<string, { enabled?: boolean; secret?: string }>();
  for (const row of rows) {
    if (row.target !== 'instance') continue;
    const change = changed.get(row.id) ?? {};
    if (row.field === 'enabled') change.enabled = parsed(row) === true;
    else if (row.field === 'secret') {
      const rotated = rotatedSecret(row);
      if (rotated) change.secret = rotated.secret;
    } else continue;
    changed.set(row.id, change);
  }
  if (changed.size === 0) return config;
  return { ...config, instances: config.instances.map((i) => (changed.has(i.id) ? { ...i, ...changed.get(i.id) } : i)) };
}

/** Each rotated instance's previous secret and until when it passes (ms), for the catalogue. */
export function previousSecrets(rows: readonly OverrideRow[]): Map<string, { secret: string; until: number }> {
  const previous = new Map<string, { secret: string; until: number }>();
  for (const row of rows) {
    if (row.target !== 'instance' || row.field !== 'secret') continue;
    const rotated = rotatedSecret(row);
    if (rotated?.previous && rotated.previous_until !== null)
      previous.set(row.id, { secret: rotated.previous, until: rotated.previous_until });
  }
  return previous;
}

/** The rows as a config generation keeps them: a rotated secret's values are not kept (a replay needs none). */
export function withoutSecrets(rows: readonly OverrideRow[]): OverrideRow[] {
  return rows.map((row) => (row.field === 'secret' ? { ...row, value: JSON.stringify({ rotated: true }) } : row));
}

/** Each override with what the YAML says and whether it shadows it; a secret's value is never in it. */
export function overrideViews(yaml: Config, rows: readonly OverrideRow[]): OverrideView[] {
  const instances = new Map(yaml.instances.map((i) => [i.id, i]));
  return rows.flatMap((row): OverrideView[] => {
    if (row.target !== 'instance') return [];
    const instance = instances.get(row.id);
    const common = { target: 'instance', id: row.id, set_at: new Date(row.set_at).toISOString(), set_by: row.set_by } as const;
    if (row.field === 'enabled') {
      const value = parsed(row);
      const yamlValue = instance?.enabled;
      const effect = yamlValue === undefined ? 'unused' : yamlValue === value ? 'agrees' : 'shadows';
      return [{ ...common, field: 'enabled', value, yaml: yamlValue, effect } satisfies OverrideView];
    }
    if (row.field === 'secret') {
      const rotated = rotatedSecret(row);
      const until = rotated?.previous_until;
      const value = { rotated: true, previous_valid_until: until ? new Date(until).toISOString() : null };
      const yamlValue = instance === undefined ? undefined : instance.secret === undefined ? 'generated' : 'configured';
      const effect = yamlValue === undefined ? 'unused' : yamlValue === 'configured' ? 'shadows' : 'sets';
      return [{ ...common, field: 'secret', value, yaml: yamlValue, effect } satisfies OverrideView];
    }
    return [];
  });
}

/** One line per override that shadows the YAML: for `check`, reload's outcome and the log. */
export function shadowNotes(yaml: Config, rows: readonly OverrideRow[]): string[] {
  return overrideViews(yaml, rows)
    .filter((v) => v.effect === 'shadows')
    .map((v) => {
      const says =
        v.field === 'secret'
          ? 'the YAML configures a secret, a rotation replaced it'
          : `the YAML says ${JSON.stringify(v.yaml)}, an override says ${JSON.stringify(v.value)}`;
      return `${overrideName(v)}: ${says} (set by ${v.set_by} at ${v.set_at}; \`switchboard overrides --clear ${overrideName(v)}\` goes back to the YAML)`;
    });
}

function rotatedSecret(row: OverrideRow): RotatedSecret | undefined {
  const value = parsed(row) as Partial<RotatedSecret> | undefined;
  return typeof value?.secret === 'string' && value.secret.length >= 16
    ? { secret: value.secret, previous: value.previous ?? null, previous_until: value.previous_until ?? null }
    : undefined;
}

function parsed(row: OverrideRow): unknown {
  try {
    return JSON.parse(row.value);
  } catch {
    return undefined;
  }
}
