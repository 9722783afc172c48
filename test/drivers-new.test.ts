// `switchboard drivers new NAME`: it writes a driver and its test that pass as generated (the
// generated test file runs here, in this suite), and refuses a bad name or an existing folder.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';

const root = mkdtempSync(join(tmpdir(), 'switchboard-drivers-new-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('switchboard drivers new', () => {
  it('writes DIR/NAME/driver.ts and driver.test.ts, and says how to test them', async () => {
    const result = await runCli(['drivers', 'new', 'door-bell', '--dir', join(root, 'mine')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`wrote ${join(root, 'mine/door-bell/driver.ts')} and `);
    const driver = readFileSync(join(root, 'mine/door-bell/driver.ts'), 'utf8');
    expect(driver).toContain("name: 'door-bell'");
    expect(driver).toContain("module: 'DoorBell'");
  });

  it('writes under ./drivers of the working directory without --dir', async () => {
    const cwd = process.cwd();
    process.chdir(root);
    try {
      const result = await runCli(['drivers', 'new', 'chime']);
      expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('wrote drivers/chime/driver.ts') });
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(join(root, 'drivers/chime/driver.test.ts'))).toBe(true);
  });

  it('refuses an existing folder, and writes nothing into it', async () => {
    await runCli(['drivers', 'new', 'gong', '--dir', root]);
    const before = readFileSync(join(root, 'gong/driver.ts'), 'utf8');
    const result = await runCli(['drivers', 'new', 'gong', '--dir', root]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`switchboard: ${join(root, 'gong')} already exists; pick another name or remove that folder\n`);
    expect(readFileSync(join(root, 'gong/driver.ts'), 'utf8')).toBe(before);
  });

  it.each(['Bell', 'door_bell', '1bell', 'bell-', '../bell', ''])('refuses the name %j with exit 2', async (name) => {
    const result = await runCli(['drivers', 'new', name, '--dir', root]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`switchboard: "${name}" is not a driver name: use lower-case letters`);
  });

  it('asks for a name when given none, and takes only --dir', async () => {
    expect((await runCli(['drivers', 'new'])).stderr).toContain('drivers new takes the new driver’s name');
    expect((await runCli(['drivers', 'new', 'bell', '--json'])).stderr).toContain(
      'drivers new does not take --json; it takes --dir DIR, --help',
    );
  });
});

// The generated test, run as part of this suite: a failing case fails here under its own name.
describe('the generated driver’s own test', async () => {
  const dir = join(root, 'generated');
  const result = await runCli(['drivers', 'new', 'tally', '--dir', dir]);
  if (result.code !== 0) throw new Error(`drivers new failed: ${result.stderr}`);
  await import(pathToFileURL(join(dir, 'tally/driver.test.ts')).href);
});
