// --drivers DIR (several allowed): driver folders kept outside the checkout, loaded after the
// shipped drivers/ folder, for the commands that read drivers.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_DRIVERS_DIR, loadDrivers, type DriverRegistry } from '../drivers/registry.js';
import { UsageError, type OptionSpecs } from './options.js';

export const driversOption = { drivers: { type: 'string', multiple: true, value: 'DIR' } } as const satisfies OptionSpecs;

/** The shipped drivers and those under each --drivers folder (relative to the working directory). */
export async function loadDriverFolders(values: { drivers?: readonly string[] }): Promise<DriverRegistry> {
  const extra = (values.drivers ?? []).map((dir) => {
    const path = resolve(dir);
    if (!statSync(path, { throwIfNoEntry: false })?.isDirectory())
      throw new UsageError(
        `--drivers ${dir}: there is no such folder; give the folder that holds one folder per driver (<name>/driver.js)`,
      );
    return path;
  });
  return loadDrivers([DEFAULT_DRIVERS_DIR, ...extra]);
}
