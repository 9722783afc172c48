// The README's driver examples and their tests on the kit, run as written (a simulated
// projector, and a device driver over TCP against the kit's fake device): the code blocks
// are copied out of README.md into a drivers folder, and each test block runs in this suite.
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

/** Writes the README's driver and its test into `dir/<name>` and runs the test in this suite. */
async function runExample(name: string): Promise<void> {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, `${name}/driver.ts`), block(`drivers/${name}/driver.ts`));
  writeFileSync(join(dir, `${name}/driver.test.ts`), block(`drivers/${name}/driver.test.ts`));
  await import(pathToFileURL(join(dir, `${name}/driver.test.ts`)).href);
}

describe('README: Testing a driver', async () => {
  await runExample('projector');
});

describe('README: Talking to a device over TCP', async () => {
  await runExample('beamer');
});
