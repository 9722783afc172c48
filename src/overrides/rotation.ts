// A secret rotation: a new random secret for an instance, stored as an override, with the
// secret it replaces still accepted for a grace period (Svix and Resend keep the old one 24 h),
// so a sender can be switched over without a window of 404s. Run by `switchboard rotate` and the
// admin API; a running engine applies it within a second, and the old secret then answers 404
// like any wrong one once the grace ends.
import { parseDuration } from '../config/duration.js';
import type { Config } from '../config/schema.js';
import type { IdSource } from '../ids.js';
import type { Store } from '../store/store.js';
import { applyOverrides, rotateSecret } from './overrides.js';

/** How long the old secret passes when no grace is given. */
export const DEFAULT_GRACE_MS = 86_400_000;

/** A grace as an operator writes it (`24h`, `30m`, `0`), or undefined when it is not one. */
export function graceOf(text: string | undefined): number | undefined {
  if (text === undefined) return DEFAULT_GRACE_MS;
  return text.trim() === '0' ? 0 : parseDuration(text);
}

export interface Rotated {
  secret: string;
  /** Until when the old secret passes (ms), or null with no grace. */
  previousUntil: number | null;
}

/** Rotates `instanceId`'s secret (the YAML's config `yaml`, the overrides as stored now); undefined when the YAML has no such instance. */
export async function rotate(
  store: Store,
  yaml: Config,
  instanceId: string,
  options: { graceMs: number; by: string; now: number; ids: IdSource },
): Promise<Rotated | undefined> {
  const serving = applyOverrides(yaml, await store.overrides.all());
  const instance = serving.instances.find((i) => i.id === instanceId);
  if (!instance) return undefined;
  const current =
    instance.secret ?? (await store.secrets.ensure([instance.id], () => options.ids.secret(), options.now)).get(instance.id)!;
  const secret = options.ids.secret();
  await store.commit([rotateSecret(instance.id, secret, current, options.graceMs, options.by, options.now)]);
  return { secret, previousUntil: options.graceMs > 0 ? options.now + options.graceMs : null };
}
