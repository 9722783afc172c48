// The README's driver example and its test on the kit, run as written: both code blocks
// are copied out of README.md into a drivers folder, and the test block runs in this suite.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The ```ts block whose first line names `file`, its imports of src/ pointed at this checkout. */
function block(file: string): string {
  const found = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).find((code) => code.startsWith(`// ${file}\n`));
  if (found === undefined) throw new Error(`README.md has no ts block starting with // ${file}`);
  // An absolute path, not a file: URL: vitest maps `api.js` to `api.ts` only for paths.
  return found.replaceAll("'../../src/", `'${join(ROOT, 'src')}/`);
}

const dir = mkdtempSync(join(tmpdir(), 'switchboard-readme-driver-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README: Testing a driver', async () => {
  mkdirSync(join(dir, 'projector'));
  writeFileSync(join(dir, 'projector/driver.ts'), block('drivers/projector/driver.ts'));
  writeFileSync(join(dir, 'projector/driver.test.ts'), block('drivers/projector/driver.test.ts'));
  await import(pathToFileURL(join(dir, 'projector/driver.test.ts')).href);
});
