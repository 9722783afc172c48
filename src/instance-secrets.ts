// Each instance's trigger secret: from the config, else generated once and kept in the store.
import type { Clock } from './clock.js';
import type { Config } from './config/schema.js';
import type { IdSource } from './ids.js';
import type { Store } from './store/store.js';

/** Generated secrets for instances whose config gives none, made once and kept. */
export async function instanceSecrets(config: Config, store: Store, ids: IdSource, clock: Clock): Promise<Map<string, string>> {
  const missing = config.instances.filter((i) => i.secret === undefined).map((i) => i.id);
  return store.secrets.ensure(missing, () => ids.secret(), clock.now());
}
