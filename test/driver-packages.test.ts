// Drivers from npm packages: a package the config's `drivers:` lists (and only such a package)
// is loaded from node_modules beside the YAML and runs in a real engine; a package that is not
// installed, declares another driver API version, has no "switchboard" field, misses a module
// or exports no driver is a config problem at its YAML entry, which `check` reports and which
// stops `start`; `switchboard drivers` says which package each driver came from.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigInvalid, formatProblem } from '../src/config/problems.js';
import { DEFAULT_DRIVERS_DIR } from '../src/drivers/registry.js';
import { prepareConfig } from '../src/prepare-config.js';
import { FIXTURE_PACKAGE, installFixturePackage, type Manifest } from './support/driver-package.js';
import { runCli } from './support/run-cli.js';
import { startTestEngine } from './support/test-engine.js';

const SECRET = 'chime-secret-0123456789ab';
const LISTED = `drivers:\n  - package: "${FIXTURE_PACKAGE}"\n`;
const HALL = `systems:
  - id: sys-hall
    modules:
      - driver: fixture-chime
        settings: { tone: dong }
triggers:
  - id: ring
    actions:
      - call: FixtureChime_1.ring
        args: { times: 2 }
  - id: status
instances:
  - { id: trig-ring, trigger: ring, system: sys-hall, secret: ${SECRET} }
  - { id: trig-status, trigger: status, system: sys-hall, secret: ${SECRET}, exec: true }
`;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary folder holding config/site.yaml with `yaml`; answers both paths. */
function configWith(yaml: string): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-packages-'));
  dirs.push(dir);
  const config = join(dir, 'config');
  mkdirSync(config);
  writeFileSync(join(config, 'site.yaml'), yaml);
  return { dir, config };
}

/** The problems prepareConfig (what `check` and `start` run) finds, formatted as `check` prints them. */
async function problemsOf(config: string): Promise<string[]> {
  const error = await prepareConfig(config, { env: {} }).catch((e: unknown) => e);
  if (!(error instanceof ConfigInvalid)) throw new Error('expected the config to be refused');
  return error.problems.map(formatProblem);
}

/** The fixture installed with its package.json changed, and the one problem a config listing it (and nothing else) then has. */
async function refusalWith(edit: (manifest: Manifest) => Manifest): Promise<string> {
  const { config } = configWith(LISTED);
  installFixturePackage(config, edit);
  const problems = await problemsOf(config);
  expect(problems).toHaveLength(1);
  return problems[0]!;
}

describe('a driver package listed in drivers:', () => {
  it('runs in a real engine: an action calls its method and exec reaches its webhook', async () => {
    const { dir, config } = configWith(LISTED + HALL);
    installFixturePackage(config);
    const t = await startTestEngine({ dir, files: {} });
    try {
      const fired = await fetch(t.url(`/webhook/trig-ring/notify/${SECRET}`), { method: 'POST' });
      expect(fired.status).toBe(202);
      expect(await fired.json()).toMatchObject({ fired: true });
      await t.engine.settled();
      const status = await fetch(t.url(`/webhook/trig-status/notify/${SECRET}/FixtureChime/1/status`), { method: 'POST' });
      expect(status.status).toBe(200);
      expect(await status.json()).toEqual({ rung: 2, tone: 'dong' });
      // Loaded code cannot be unloaded: dropping the package from drivers: waits for a restart.
      writeFileSync(join(config, 'site.yaml'), HALL);
      const reload = await t.engine.reload();
      expect(reload.result).toBe('refused');
      expect(reload.problems.map((p) => p.message)).toEqual([
        expect.stringContaining('changed: the drivers section takes effect only at a restart'),
      ]);
    } finally {
      await t.cleanup();
    }
  });

  it('loads once when listed twice, in two files', async () => {
    const { config } = configWith(LISTED + HALL);
    writeFileSync(join(config, 'more.yaml'), LISTED);
    installFixturePackage(config);
    const { registry } = await prepareConfig(config, { env: {} });
    expect(registry.source('fixture-chime')).toMatchObject({ kind: 'package', package: FIXTURE_PACKAGE, version: '1.2.0' });
  });

  it('is not loaded when the config does not list it, installed or not', async () => {
    const { config } = configWith(HALL);
    installFixturePackage(config);
    const problems = await problemsOf(config);
    expect(problems.join('\n')).toContain('driver "fixture-chime" does not exist');
  });

  it('is refused when it is not installed, at its drivers: entry, naming what to run', async () => {
    const { config } = configWith(LISTED + HALL);
    const problems = await problemsOf(config);
    expect(problems[0]).toMatch(
      /site\.yaml:2:\d+ {2}drivers\[0\]\.package {2}package "@switchboard-fixtures\/chime-drivers" is not installed/,
    );
    expect(problems[0]).toContain(`run \`npm install ${FIXTURE_PACKAGE}\` in ${config}`);
  });

  it('is refused when it declares another driver API version, naming both versions', async () => {
    const problem = await refusalWith((m) => ({
      ...m,
      switchboard: { apiVersion: 2, drivers: { 'fixture-chime': './chime.js' } },
    }));
    expect(problem).toMatch(/site\.yaml:2:\d+ {2}drivers\[0\]\.package {2}/);
    expect(problem).toContain(
      `package "${FIXTURE_PACKAGE}" declares "apiVersion": 2, but this engine's driver API is version 1: install a version of the package written for apiVersion 1`,
    );
  });

  it('is refused when it declares no apiVersion', async () => {
    const problem = await refusalWith((m) => ({ ...m, switchboard: { drivers: { 'fixture-chime': './chime.js' } } }));
    expect(problem).toContain(`package "${FIXTURE_PACKAGE}" declares no "apiVersion", but this engine's driver API is version 1`);
  });

  it('is refused when its package.json has no "switchboard" field, showing the field to declare', async () => {
    const problem = await refusalWith(({ switchboard: _dropped, ...rest }) => rest);
    expect(problem).toContain(
      `package "${FIXTURE_PACKAGE}" has no "switchboard" field in its package.json, so it declares no drivers; a driver package declares "switchboard": { "apiVersion": 1`,
    );
  });

  it('refuses a driver whose module file is missing, saying to build or reinstall the package', async () => {
    const problem = await refusalWith((m) => ({
      ...m,
      switchboard: { apiVersion: 1, drivers: { 'fixture-chime': './dist/chime.js' } },
    }));
    expect(problem).toContain(
      `package "${FIXTURE_PACKAGE}" driver "fixture-chime": its module "./dist/chime.js" does not exist in`,
    );
    expect(problem).toContain('build the package (npm run build) or reinstall it');
  });

  it('refuses a module whose `driver` export is not a driver factory, and a module path outside the package', async () => {
    const { config } = configWith(LISTED + HALL);
    const root = installFixturePackage(config, (m) => ({
      ...m,
      switchboard: { apiVersion: 1, drivers: { 'fixture-chime': './chime.js', plain: './plain.js', outside: '../../x.js' } },
    }));
    writeFileSync(join(root, 'plain.js'), 'export const driver = { name: "plain" };\n');
    const problems = (await problemsOf(config)).join('\n');
    expect(problems).toContain(
      'driver "plain": its module "./plain.js" does not export `driver` as a function that receives the driver API ({ defineDriver, z }) and returns defineDriver({ … })',
    );
    expect(problems).toContain('driver "outside": its module "../../x.js" is not a file inside the package');
  });

  it('refuses a driver whose name another source took, naming both; the first is used', async () => {
    const { config } = configWith(LISTED + HALL);
    const root = installFixturePackage(config, (m) => ({
      ...m,
      switchboard: { apiVersion: 1, drivers: { 'fixture-chime': './chime.js', display: './display.js' } },
    }));
    writeFileSync(
      join(root, 'display.js'),
      [
        'export function driver({ defineDriver, z }) {',
        "  return defineDriver({ name: 'display', module: 'Display', description: 'Another display.',",
        '    settings: z.object({}), state: z.object({}), initialState: () => ({}), methods: {} });',
        '}',
      ].join('\n'),
    );
    const problems = await problemsOf(config);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(
      `driver name "display" is defined twice, in ${join(DEFAULT_DRIVERS_DIR, 'display')} and in package ${FIXTURE_PACKAGE}@1.2.0 (${join(root, 'display.js')}); the first is used`,
    );
  });

  it('is named by an npm package name, never a path', async () => {
    const { config } = configWith(`drivers:\n  - package: ../../evil\n${HALL}`);
    const problems = (await problemsOf(config)).join('\n');
    expect(problems).toContain('drivers[0].package');
    expect(problems).toContain('give an npm package name');
  });
});

describe('switchboard check and start with a driver package', () => {
  it('check accepts the config once the package is installed, and reports it with file:line:col before', async () => {
    const { config } = configWith(LISTED + HALL);
    const before = await runCli(['check', '--config', config]);
    expect(before.code).toBe(1);
    expect(before.stderr).toMatch(
      /site\.yaml:2:\d+ {2}drivers\[0\]\.package {2}package "@switchboard-fixtures\/chime-drivers" is not installed/,
    );
    installFixturePackage(config);
    const after = await runCli(['check', '--config', config]);
    expect(after).toMatchObject({ code: 0, stderr: '' });
  });

  it('start refuses a config whose package declares another API version', async () => {
    const { dir, config } = configWith(LISTED + HALL);
    installFixturePackage(config, (m) => ({ ...m, switchboard: { apiVersion: 2, drivers: {} } }));
    const error = await startTestEngine({ dir, files: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigInvalid);
    expect((error as ConfigInvalid).message).toContain(`package "${FIXTURE_PACKAGE}" declares "apiVersion": 2`);
  });
});

describe('switchboard drivers --config', () => {
  it('lists a package driver with the package it came from, in text and JSON', async () => {
    const { config } = configWith(LISTED + HALL);
    const root = installFixturePackage(config);
    const text = await runCli(['drivers', '--config', config]);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout).toContain(
      [
        'fixture-chime  (modules FixtureChime_1, FixtureChime_2, …)  A chime from an npm package that exists only in the tests.',
        `  from     package ${FIXTURE_PACKAGE}@1.2.0`,
        '  method   ring(times)  Rings the chime.',
      ].join('\n'),
    );
    expect(text.stdout).toContain('  from     shipped ');
    const json = await runCli(['drivers', '--json', '--config', config]);
    const listed = json.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { name: string; source: unknown });
    expect(listed.find((d) => d.name === 'fixture-chime')?.source).toEqual({
      kind: 'package',
      package: FIXTURE_PACKAGE,
      version: '1.2.0',
      path: join(root, 'chime.js'),
    });
    expect(listed.find((d) => d.name === 'display')?.source).toEqual({
      kind: 'shipped',
      path: join(DEFAULT_DRIVERS_DIR, 'display'),
    });
  });

  it('lists the other drivers and reports a package it cannot load with exit 1, at its YAML entry', async () => {
    const { config } = configWith(LISTED + HALL);
    const result = await runCli(['drivers', '--config', config]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('display  (modules Display_1');
    expect(result.stderr).toMatch(
      /site\.yaml:2:\d+ {2}drivers\[0\]\.package {2}package "@switchboard-fixtures\/chime-drivers" is not installed/,
    );
  });
});
