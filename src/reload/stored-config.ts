// A stored config generation read back as a config: its YAML files parsed with today's
// environment (the stored text has the ${ENV} references, not their values), checked as
// `check` checks references, and its overrides applied. Files it names (certificates) are
// not read: a stored generation serves traces and replays, never a listener.
import { loadConfig } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { applyOverrides } from '../overrides/overrides.js';
import type { StoredGeneration } from '../store/config-repo.js';

/** Throws ConfigInvalid when the stored files no longer make a config (an ${ENV} now unset, say). */
export function storedConfig(stored: StoredGeneration, configDir: string, env: NodeJS.ProcessEnv = process.env): Config {
  return applyOverrides(loadConfig(configDir, env, stored.files).config, stored.overrides);
}

/** Configs of generations read back, kept by hash: a trace view or replay reads the same few again and again. */
export class StoredConfigs {
  private readonly cache = new Map<string, Config>();

  constructor(
    private readonly read: (hash: string) => Promise<StoredGeneration | undefined>,
    private readonly configDir: string,
    private readonly env?: NodeJS.ProcessEnv,
    private readonly keep = 8,
  ) {}

  async get(hash: string): Promise<Config | undefined> {
    const kept = this.cache.get(hash);
    if (kept) return kept;
    const stored = await this.read(hash);
    if (!stored) return undefined;
    const config = storedConfig(stored, this.configDir, this.env);
    this.cache.set(hash, config);
    if (this.cache.size > this.keep) this.cache.delete(this.cache.keys().next().value!);
    return config;
  }
}
