// `switchboard drivers new NAME [--dir DIR]`: writes DIR/NAME/driver.ts and its test from
// the template, importing the driver API from this checkout; never over an existing folder.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { DEFAULT_DRIVERS_DIR } from '../../drivers/registry.js';
import { DRIVER_NAME, driverTemplate } from '../driver-template.js';
import { UsageError, type OptionValues } from '../options.js';

export const options = { dir: { type: 'string', value: 'DIR' } } as const;

export async function driversNew(values: OptionValues<typeof options>, positionals: readonly string[]): Promise<number> {
  const [name, extra] = positionals;
  if (name === undefined) throw new UsageError('drivers new takes the new driver’s name: drivers new NAME [--dir DIR]');
  if (extra !== undefined) throw new UsageError(`drivers new takes one name, not also "${extra}"`);
  if (!DRIVER_NAME.test(name))
    throw new UsageError(
      `"${name}" is not a driver name: use lower-case letters, digits and single dashes, starting with a letter (such as door-bell)`,
    );
  const folder = resolve(values.dir ?? 'drivers', name);
  if (existsSync(folder)) {
    console.error(`switchboard: ${shown(folder)} already exists; pick another name or remove that folder`);
    return 1;
  }
  const files = driverTemplate(name, importPath(folder, join(checkoutRoot(), 'src', 'drivers')));
  mkdirSync(folder, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(folder, file), text, { flag: 'wx' });
  console.log(`wrote ${shown(join(folder, 'driver.ts'))} and ${shown(join(folder, 'driver.test.ts'))}`);
  console.log(`test it with: npx vitest run ${shown(folder)}`);
  return 0;
}

/** The checkout this CLI runs from: the registry's drivers/ is in it, or in its dist/ once built. */
function checkoutRoot(): string {
  const parent = dirname(DEFAULT_DRIVERS_DIR);
  return basename(parent) === 'dist' ? dirname(parent) : parent;
}

/** An import specifier from `from` to `to`, always relative (`./` or `../`) and with forward slashes. */
function importPath(from: string, to: string): string {
  const path = relative(from, to).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}

/** A path as the operator typed it: relative to the working directory when under it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}
