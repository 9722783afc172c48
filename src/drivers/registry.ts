// Discovers the drivers under `drivers/`: each folder holds a `driver` file whose
// `driver` export is made with defineDriver. A folder that fails to load is reported
// by name and does not stop the others.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDriver, type Driver } from './api.js';

export interface DriverRegistry {
  readonly drivers: ReadonlyMap<string, Driver>;
  /** Folders whose driver could not be loaded, with the reason. */
  readonly failures: readonly { folder: string; reason: string }[];
  get(name: string): Driver | undefined;
  names(): string[];
}

/** `drivers/` at the project root, from src/ under tsx or vitest and from dist/src/ once built. */
export const DEFAULT_DRIVERS_DIR = fileURLToPath(new URL('../../drivers', import.meta.url));

// Compiled code loads compiled drivers; source (vitest, tsx) loads TypeScript.
const EXTENSION = import.meta.url.endsWith('.ts') ? 'ts' : 'js';

export async function loadDrivers(dir: string = DEFAULT_DRIVERS_DIR): Promise<DriverRegistry> {
  const drivers = new Map<string, Driver>();
  const failures: { folder: string; reason: string }[] = [];
  const folders = existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()) : [];
  for (const folder of folders.map((d) => d.name).sort()) {
    const file = join(dir, folder, `driver.${EXTENSION}`);
    if (!existsSync(file)) continue;
    try {
      const exported = ((await import(pathToFileURL(file).href)) as { driver?: unknown }).driver;
      if (!isDriver(exported)) throw new Error('it does not export `driver` made with defineDriver');
      if (drivers.has(exported.name)) throw new Error(`driver name "${exported.name}" is already taken`);
      drivers.set(exported.name, exported);
    } catch (error) {
      failures.push({ folder, reason: (error as Error).message });
    }
  }
  return registryOf(drivers, failures);
}

export function registryOf(
  drivers: ReadonlyMap<string, Driver> | Driver[],
  failures: { folder: string; reason: string }[] = [],
): DriverRegistry {
  const map = Array.isArray(drivers) ? new Map(drivers.map((d) => [d.name, d])) : drivers;
  return {
    drivers: map,
    failures,
    get: (name) => map.get(name),
    names: () => [...map.keys()].sort(),
  };
}
