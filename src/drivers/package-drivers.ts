// The drivers of the packages a config's `drivers:` lists, added after those of the folders.
// A name already taken (by a folder or an earlier package) is refused as a folder's duplicate
// is, naming both; the same package file met again (listed twice, or a reload) is no duplicate.
import type { Locate } from '../config/load-config.js';
import type { Problem } from '../config/problems.js';
import type { Driver } from './api.js';
import type { DriverSource } from './driver-source.js';
import { loadDriverPackage } from './driver-package.js';
import { registryOf, type DriverRegistry } from './registry.js';

/** One refusal, with the position of its package in the `drivers:` list. */
export interface PackageRefusal {
  readonly entry: number;
  readonly package: string;
  readonly message: string;
}

export interface WithPackages {
  readonly registry: DriverRegistry;
  readonly refusals: readonly PackageRefusal[];
}

/** The registry with every listed package's drivers added; entries the schema refused (undefined) are skipped. */
export async function addPackageDrivers(
  registry: DriverRegistry,
  entries: readonly ({ package?: string } | undefined)[],
  configDir: string,
): Promise<WithPackages> {
  if (entries.length === 0) return { registry, refusals: [] };
  const drivers = new Map<string, Driver>(registry.drivers);
  const sources = new Map<string, DriverSource>();
  for (const name of drivers.keys()) {
    const source = registry.source(name);
    if (source) sources.set(name, source);
  }
  const refusals: PackageRefusal[] = [];
  for (const [entry, listed] of entries.entries()) {
    const name = listed?.package;
    if (name === undefined) continue;
    const loaded = await loadDriverPackage(name, configDir);
    for (const message of loaded.refusals) refusals.push({ entry, package: name, message });
    for (const { driver, source } of loaded.drivers) {
      const first = sources.get(driver.name);
      if (first?.path === source.path) continue;
      if (drivers.has(driver.name)) {
        const where = first ? placeOf(first) : 'the engine';
        const message = `driver name "${driver.name}" is defined twice, in ${where} and in ${placeOf(source)}; the first is used`;
        refusals.push({ entry, package: name, message });
        continue;
      }
      drivers.set(driver.name, driver);
      sources.set(driver.name, source);
    }
  }
  return { registry: registryOf(drivers, [...registry.failures], sources), refusals };
}

/** Each refusal as a config problem, at its package's entry of `drivers:` (file:line:col). */
export function refusalProblems(refusals: readonly PackageRefusal[], locate: Locate): Problem[] {
  return refusals.map(({ entry, message }) => locate(['drivers', entry, 'package'], message));
}

/** A folder's path, or a package's name and version with its module's path. */
function placeOf(source: DriverSource): string {
  return source.kind === 'package' ? `package ${source.package}@${source.version} (${source.path})` : source.path;
}
