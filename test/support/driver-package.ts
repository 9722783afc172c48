// Installs the fixture driver package (test/fixtures/driver-package) into a config directory's
// node_modules by copying it, as `npm install` would, optionally with its package.json changed
// (another apiVersion, no "switchboard" field) to see how the engine refuses it.
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_PACKAGE = '@switchboard-fixtures/chime-drivers';
export const FIXTURE_PACKAGE_DIR = fileURLToPath(new URL('../fixtures/driver-package', import.meta.url));

export type Manifest = Record<string, unknown>;

/** Copies the fixture package to CONFIG/node_modules/NAME; `edit` changes its package.json. Answers the copy's folder. */
export function installFixturePackage(configDir: string, edit?: (manifest: Manifest) => Manifest): string {
  const root = join(configDir, 'node_modules', FIXTURE_PACKAGE);
  mkdirSync(root, { recursive: true });
  cpSync(FIXTURE_PACKAGE_DIR, root, { recursive: true });
  if (edit) {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Manifest;
    writeFileSync(join(root, 'package.json'), JSON.stringify(edit(manifest), null, 2));
  }
  return root;
}
