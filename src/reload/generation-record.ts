// Each config generation as it was written, kept in the store when a node begins serving
// it: its YAML files as they are on disk (before ${ENV} expansion, so no secret value from
// the environment is stored) and the overrides applied, by the generation's hash, with when
// this node began serving it. A run's trace shows the config it ran under; a replay with
// the original config rebuilds it from here.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { configFiles } from '../config/load-config.js';
import type { Logger } from '../logger.js';
import { withoutSecrets } from '../overrides/overrides.js';
import type { OverrideRow, UnitOfWork } from '../store/writes.js';
import type { Generation } from './generation.js';

export interface GenerationRecordDeps {
  configDir: string;
  node: string;
  store: UnitOfWork;
  now(): number;
  log: Logger;
}

/** The YAML files of a config directory, by name, as written. */
export function configTexts(configDir: string): Record<string, string> {
  return Object.fromEntries(configFiles(configDir).map((file) => [basename(file), readFileSync(file, 'utf8')]));
}

/**
 * Records that this node serves `generation` from now on. The files are read as the swap
 * ends: a file rewritten between the reload's read and this one is recorded as rewritten
 * (the window is a few milliseconds; the hash still names what was served).
 */
export function recordGeneration(deps: GenerationRecordDeps, generation: Generation, overrides: readonly OverrideRow[]): void {
  let files: string;
  try {
    files = JSON.stringify(configTexts(deps.configDir));
  } catch (error) {
    deps.log.warn(
      { generation: generation.hash, reason: (error as Error).message },
      'the config generation could not be kept for traces',
    );
    return;
  }
  const write = {
    kind: 'generation_served',
    hash: generation.hash,
    files,
    // A rotated secret is not kept with the generation: traces and replays need none.
    overrides: JSON.stringify(withoutSecrets(overrides)),
    node: deps.node,
    at: deps.now(),
  } as const;
  deps.store
    .commit([write])
    .catch((error: Error) =>
      deps.log.warn({ generation: generation.hash, reason: error.message }, 'the config generation could not be kept for traces'),
    );
}
