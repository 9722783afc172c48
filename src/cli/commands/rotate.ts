// `switchboard rotate INSTANCE [--grace 24h]`: a new secret for a trigger instance, stored as an
// override (`switchboard overrides` lists it); the old secret passes until the grace ends, then
// answers 404 like any wrong secret. Prints the new URL: the operator's tool shows secrets.
import { randomIds } from '../../ids.js';
import { graceOf, rotate as rotateSecret } from '../../overrides/rotation.js';
import { storeOptions, UsageError, type OptionValues } from '../options.js';
import { withStore } from '../with-store.js';

export const options = { ...storeOptions, grace: { type: 'string', value: 'DURATION' } } as const;

export async function rotate(values: OptionValues<typeof options>, positionals: readonly string[] = []): Promise<number> {
  const [id, ...extra] = positionals;
  if (!id)
    throw new UsageError(
      'rotate needs an instance id: switchboard rotate INSTANCE [--grace 24h] (`switchboard instances` lists them)',
    );
  if (extra.length > 0) throw new UsageError(`rotate takes one instance id, not ${positionals.length}`);
  const graceMs = graceOf(values.grace);
  if (graceMs === undefined)
    throw new UsageError(
      `--grace must be a duration such as 24h, 30m or 0 (the old secret stops at once), not "${values.grace}"`,
    );
  return withStore(values, async (store, { config }) => {
    const now = Date.now();
    const rotated = await rotateSecret(store, config, id, { graceMs, by: 'cli', now, ids: randomIds });
    if (!rotated) {
      const ids = config.instances.map((i) => i.id);
      console.error(`switchboard: no instance "${id}" in the config${ids.length > 0 ? `; instances: ${ids.join(', ')}` : ''}`);
      return 1;
    }
    console.log(`${id}: new secret ${rotated.secret}`);
    console.log(
      rotated.previousUntil === null
        ? 'the old secret stops passing as soon as the engine applies this (within a second)'
        : `the old secret passes until ${new Date(rotated.previousUntil).toISOString()}; \`switchboard urls\` prints the new URL`,
    );
    return 0;
  });
}
