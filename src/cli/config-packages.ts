// The driver packages a config's `drivers:` lists, added to the folders' drivers for the
// commands that list drivers without checking the whole config (`switchboard drivers`).
import { existsSync } from 'node:fs';
import { readConfig } from '../config/load-config.js';
import type { Problem } from '../config/problems.js';
import { addPackageDrivers, refusalProblems } from '../drivers/package-drivers.js';
import type { DriverRegistry } from '../drivers/registry.js';
import { configDirOf } from './options.js';

export interface WithConfigPackages {
  readonly registry: DriverRegistry;
  /** The packages that could not be loaded, at their entries of `drivers:`. */
  readonly problems: readonly Problem[];
}

/**
 * The folders' drivers and those of the config's packages. The config directory is --config,
 * else $SWITCHBOARD_CONFIG, else ./config when there is one: without a config, only folders.
 */
export async function withConfigPackages(folders: DriverRegistry, values: { config?: string }): Promise<WithConfigPackages> {
  const dir = configDirOf(values);
  const named = values.config !== undefined || process.env.SWITCHBOARD_CONFIG !== undefined;
  if (!named && !existsSync(dir)) return { registry: folders, problems: [] };
  // The rest of the config is `check`'s business: only a YAML error stops the listing here.
  const reading = readConfig(dir);
  const { registry, refusals } = await addPackageDrivers(folders, reading.parts.drivers ?? [], reading.dir);
  return { registry, problems: refusalProblems(refusals, reading.locate) };
}
