// Loads one driver package. Its package.json's "switchboard" field declares the driver API
// version it was written for and one module per driver:
//   "switchboard": { "apiVersion": 1, "drivers": { "acme-sign": "./dist/sign.js" } }
// Each module exports `driver`, a function that receives the driver API (package-api.ts) and
// returns what defineDriver made. Every refusal names the package and says what to do.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DRIVER_API_VERSION, isDriver, type Driver } from './api.js';
import type { DriverSource } from './driver-source.js';
import { findPackage } from './find-package.js';
import { packageDriverApi, type PackageDriverApi } from './package-api.js';

export type PackageSource = Extract<DriverSource, { kind: 'package' }>;

export interface PackageDriver {
  readonly driver: Driver;
  readonly source: PackageSource;
}

export interface LoadedPackage {
  readonly drivers: readonly PackageDriver[];
  /** What was refused, each a sentence naming the package. */
  readonly refusals: readonly string[];
}

const SHAPE = '"switchboard": { "apiVersion": 1, "drivers": { "<name>": "./dist/driver.js" } }';

/** The drivers of the named package as installed for the config directory; a driver module that fails is refused alone. */
export async function loadDriverPackage(name: string, configDir: string): Promise<LoadedPackage> {
  const refused = (reason: string): LoadedPackage => ({ drivers: [], refusals: [`package "${name}" ${reason}`] });
  const root = findPackage(name, configDir);
  if (root === undefined)
    return refused(
      `is not installed: run \`npm install ${name}\` in ${resolve(configDir)} (it is looked for in node_modules there and above, then beside the engine)`,
    );
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  } catch (error) {
    return refused(`has a package.json that cannot be read as JSON (${(error as Error).message}): reinstall it`);
  }
  const field = fieldOf(manifest, 'switchboard');
  if (typeof field !== 'object' || field === null)
    return refused(
      `has no "switchboard" field in its package.json, so it declares no drivers; a driver package declares ${SHAPE}`,
    );
  const apiVersion = fieldOf(field, 'apiVersion');
  if (apiVersion !== DRIVER_API_VERSION) {
    const declared =
      apiVersion === undefined ? 'declares no "apiVersion"' : `declares "apiVersion": ${JSON.stringify(apiVersion)}`;
    return refused(
      `${declared}, but this engine's driver API is version ${DRIVER_API_VERSION}: install a version of the package written for apiVersion ${DRIVER_API_VERSION}, or an engine that speaks its version`,
    );
  }
  const modules = driverModules(fieldOf(field, 'drivers'));
  if (modules === undefined)
    return refused(`has "switchboard"."drivers" that is not a map of driver names to module files; declare ${SHAPE}`);
  const version = fieldOf(manifest, 'version');
  const base = { kind: 'package', package: name, version: typeof version === 'string' ? version : '0.0.0' } as const;
  const drivers: PackageDriver[] = [];
  const refusals: string[] = [];
  for (const [driverName, file] of modules) {
    try {
      const path = moduleFile(root, file);
      drivers.push({ driver: await driverOf(driverName, path, file), source: { ...base, path } });
    } catch (error) {
      refusals.push(`package "${name}" driver "${driverName}": ${(error as Error).message}`);
    }
  }
  return { drivers, refusals };
}

function fieldOf(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, key)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

/** The declared [driver name, module file] pairs; undefined when the field is not such a map (or is empty). */
function driverModules(value: unknown): [string, string][] | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value);
  if (entries.length === 0 || !entries.every((entry): entry is [string, string] => typeof entry[1] === 'string'))
    return undefined;
  return entries;
}

/** The module's path inside the package; a path that leaves the package is refused. */
function moduleFile(root: string, file: string): string {
  const path = resolve(root, file);
  const inside = relative(root, path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside))
    throw new Error(`its module "${file}" is not a file inside the package; give a path relative to the package's folder`);
  if (!existsSync(path))
    throw new Error(`its module "${file}" does not exist in ${root}: build the package (npm run build) or reinstall it`);
  return path;
}

async function driverOf(name: string, path: string, file: string): Promise<Driver> {
  let exported: unknown;
  try {
    exported = ((await import(pathToFileURL(path).href)) as { driver?: unknown }).driver;
  } catch (error) {
    throw new Error(`its module "${file}" could not be imported: ${(error as Error).message}`);
  }
  const how = 'export `driver` as a function that receives the driver API ({ defineDriver, z }) and returns defineDriver({ … })';
  if (isDriver(exported))
    throw new Error(`its module "${file}" exports a driver object; a package's module must ${how}, so it uses the engine's zod`);
  if (typeof exported !== 'function') throw new Error(`its module "${file}" does not ${how}`);
  let made: unknown;
  try {
    made = (exported as (api: PackageDriverApi) => unknown)(packageDriverApi);
  } catch (error) {
    throw new Error(`its module "${file}" threw while making the driver: ${(error as Error).message}`);
  }
  if (!isDriver(made))
    throw new Error(`its module "${file}" has a \`driver\` function that returns no driver; it must return defineDriver({ … })`);
  if (made.name !== name)
    throw new Error(
      `its module "${file}" defines driver "${made.name}"; make the name in package.json and in defineDriver the same`,
    );
  return made;
}
