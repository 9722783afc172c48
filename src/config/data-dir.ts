// Where the engine keeps its database: the --data override, else the config's data_dir,
// relative to the config directory.
import { resolve } from 'node:path';
import type { Config } from './schema.js';

export function dataDirOf(config: Config, configDir: string, override?: string): string {
  return override ? resolve(override) : resolve(configDir, config.server.data_dir);
}
