// Finds an installed npm package's folder as Node finds a bare import: in node_modules of the
// config directory and of each folder above it, then of the engine's own install. Looked up
// by folder rather than with require.resolve('NAME/package.json'), which a package whose
// `exports` leaves out package.json refuses; the drivers are named by the manifest anyway.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This file's folder: the engine's own node_modules are found above it. */
const ENGINE_DIR = fileURLToPath(new URL('.', import.meta.url));

/** The package's folder, first beside the config, then beside the engine; undefined when it is in neither. */
export function findPackage(name: string, configDir: string): string | undefined {
  for (const start of [resolve(configDir), ENGINE_DIR]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const root = join(dir, 'node_modules', name);
      if (existsSync(join(root, 'package.json'))) return root;
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}
