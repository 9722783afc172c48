// Discovers drivers: each folder of a drivers folder (the shipped `drivers/`, and any other
// given) holds a `driver` file whose `driver` export is made with defineDriver. A folder
// that fails to load, or defines a name another folder took, is reported by its path and
// does not stop the others.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isDriver, type Driver } from './api.js';
import type { DriverSource } from './driver-source.js';

export interface DriverRegistry {
  readonly drivers: ReadonlyMap<string, Driver>;
  /** Folders whose driver could not be loaded, with the reason. */
  readonly failures: readonly DriverFailure[];
  get(name: string): Driver | undefined;
  names(): string[];
  /** Where the named driver came from; undefined for a driver made in code (tests). */
  source(name: string): DriverSource | undefined;
}

export interface DriverFailure {
  /** The folder's name, such as `display`. */
  readonly folder: string;
  /** The folder's path, for messages (failures made up in code may leave it out). */
  readonly path?: string;
  readonly reason: string;
}

/** `drivers/` at the project root, from src/ under tsx or vitest and from dist/src/ once built. */
export const DEFAULT_DRIVERS_DIR = fileURLToPath(new URL('../../drivers', import.meta.url));

// Compiled code loads compiled drivers (`driver.js`); source (vitest, tsx) loads TypeScript,
// and JavaScript where a folder has no `driver.ts`.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const DRIVER_FILES = FROM_SOURCE ? ['driver.ts', 'driver.js'] : ['driver.js'];

/** The drivers of every folder of the given drivers folders, in order; a folder that does not exist has none. */
export async function loadDrivers(dirs: string | readonly string[] = DEFAULT_DRIVERS_DIR): Promise<DriverRegistry> {
  const drivers = new Map<string, Driver>();
  const definedIn = new Map<string, DriverSource>();
  const failures: DriverFailure[] = [];
  for (const dir of new Set((typeof dirs === 'string' ? [dirs] : dirs).map((d) => resolve(d)))) {
    const kind = dir === resolve(DEFAULT_DRIVERS_DIR) ? 'shipped' : 'folder';
    for (const folder of subfolders(dir)) {
      const path = join(dir, folder);
      try {
        const file = driverFile(path);
        if (file === undefined) continue;
        const exported = ((await import(pathToFileURL(file).href)) as { driver?: unknown }).driver;
        if (!isDriver(exported)) throw new Error('it does not export `driver` made with defineDriver');
        const first = definedIn.get(exported.name);
        if (first !== undefined)
          throw new Error(`driver name "${exported.name}" is defined twice, in ${first.path} and in ${path}; the first is used`);
        drivers.set(exported.name, exported);
        definedIn.set(exported.name, { kind, path });
      } catch (error) {
        failures.push({ folder, path, reason: (error as Error).message });
      }
    }
  }
  return registryOf(drivers, failures, definedIn);
}

function subfolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** The folder's driver file; undefined for a folder without one (skipped silently). */
function driverFile(folder: string): string | undefined {
  const file = DRIVER_FILES.map((name) => join(folder, name)).find((f) => existsSync(f));
  if (file === undefined && existsSync(join(folder, 'driver.ts')))
    throw new Error('it has driver.ts but the built CLI loads driver.js: compile it with tsc, or run the CLI under tsx');
  return file;
}

export function registryOf(
  drivers: ReadonlyMap<string, Driver> | Driver[],
  failures: DriverFailure[] = [],
  sources: ReadonlyMap<string, DriverSource> = new Map(),
): DriverRegistry {
  const map = Array.isArray(drivers) ? new Map(drivers.map((d) => [d.name, d])) : drivers;
  return {
    drivers: map,
    failures,
    get: (name) => map.get(name),
    names: () => [...map.keys()].sort(),
    source: (name) => sources.get(name),
  };
}
