// The README's driver package, run as written: its package.json, its module and its YAML are
// copied out of README.md into a config directory (the package "installed" in its
// node_modules, as `npm install` would leave it), and a real engine loads the driver and runs it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const README = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');

/** The README's ```LANG block that `holds` says is the one. */
function block(lang: string, holds: (code: string) => boolean): string {
  const found = [...README.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!).find(holds);
  if (found === undefined) throw new Error(`README.md has no such ${lang} block`);
  return found;
}

let t: TestEngine | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('README: Drivers from npm packages', () => {
  it('loads the package the config lists and runs its driver', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-readme-package-'));
    dirs.push(dir);
    const manifest = block('json', (code) => code.includes('"switchboard"'));
    const name = (JSON.parse(manifest) as { name: string }).name;
    const root = join(dir, 'config', 'node_modules', name);
    mkdirSync(join(root, 'dist'), { recursive: true });
    writeFileSync(join(root, 'package.json'), manifest);
    writeFileSync(
      join(root, 'dist', 'sign.js'),
      block('js', (code) => code.startsWith('// dist/sign.js\n')),
    );
    const yaml = block('yaml', (code) => code.startsWith('drivers:\n  - package:'));
    writeFileSync(join(dir, 'config', 'site.yaml'), yaml);
    t = await startTestEngine({ files: {}, dir });
    const sign = t.engine.modules.find('sys-lobby', 'Sign_1')!;
    expect(sign.status).toBe('running');
    await sign.call('show', { text: 'Welcome' });
    expect(sign.currentState).toEqual({ text: 'Welcome' });
  });
});
