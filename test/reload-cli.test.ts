// `switchboard reload` against a real engine process: the CLI finds the engine of a data
// directory, sends SIGHUP and prints what the engine made of it; the engine swaps its config
// without dropping a request, refuses a broken config with every problem, and counts each
// reload in /metrics. (The CLI runs in this process; only the engine is spawned.)
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnEngine, type EngineProcess } from './support/engine-process.js';
import { runCli } from './support/run-cli.js';

const SECRET = 'reload-cli-secret-0123456';
const config = (instances: string) => `
systems:
  - { id: sys-a, modules: [{ driver: display }] }
triggers:
  - { id: wake, actions: [{ call: Display_1.power, args: { state: true } }] }
instances:
  - { id: door, trigger: wake, system: sys-a, secret: ${SECRET} }
${instances}`;

let dir: string;
let configDir: string;
let engine: EngineProcess;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-reload-'));
  configDir = join(dir, 'config');
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'site.yaml'), config(''));
  engine = await spawnEngine(configDir, join(dir, 'data'));
});
afterAll(() => {
  engine.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const readyz = async () => ((await (await fetch(`${engine.url}/readyz`)).json()) as { config: { generation: number } }).config;
const fire = async (instance: string) =>
  (await fetch(`${engine.url}/webhook/${instance}/notify?secret=${SECRET}`, { method: 'POST' })).status;

describe('switchboard reload', () => {
  // The data directory is found from the config's data_dir (../data), as an operator would run it.
  const reload = () => runCli(['reload', '--config', configDir]);

  it('says when nothing changed', async () => {
    const result = await reload();
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^unchanged: the config is the one generation 1 \([0-9a-f]{12}\) serves\n$/);
  });

  it('applies a changed config and prints the new generation and what changed', async () => {
    writeFileSync(join(configDir, 'site.yaml'), config(`  - { id: window, trigger: wake, system: sys-a, secret: ${SECRET} }`));
    const result = await reload();
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /^reloaded: generation 2 \([0-9a-f]{12}\) serves; instances: 1 added, 0 changed, 0 removed; modules: 0 restarted, 0 started, 0 stopped\n$/,
    );
    expect(await readyz()).toMatchObject({ generation: 2 });
    expect(await fire('window')).toBe(202);
  });

  it('refuses a broken config with every problem and exit 1, and the engine goes on serving', async () => {
    writeFileSync(join(configDir, 'site.yaml'), config('  - { id: hall, trigger: sleep, system: sys-b }'));
    const result = await reload();
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^reload refused: the config has 2 problems; generation 2 \([0-9a-f]{12}\) goes on serving$/);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/site\.yaml:8:\d+ {2}instances\[1\]\.trigger {2}trigger "sleep" does not exist/),
      expect.stringMatching(/site\.yaml:8:\d+ {2}instances\[1\]\.system {2}system "sys-b" does not exist/),
    ]);
    expect(await readyz()).toMatchObject({ generation: 2 });
    expect(await fire('window')).toBe(202);
    expect(engine.output()).toMatch(/config reload refused \(2 problems\)/);
  });

  it('counts each reload by result in /metrics', async () => {
    const text = await (await fetch(`${engine.url}/metrics`)).text();
    expect(text).toMatch(/^switchboard_config_reloads_total\{result="applied"\} 1$/m);
    expect(text).toMatch(/^switchboard_config_reloads_total\{result="unchanged"\} 1$/m);
    expect(text).toMatch(/^switchboard_config_reloads_total\{result="refused"\} 1$/m);
    expect(text).toMatch(/^switchboard_config_generation 2$/m);
  });

  it('says so when no engine runs on the data directory', async () => {
    const result = await runCli(['reload', '--config', configDir, '--data', join(dir, 'elsewhere')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no engine is running on .*elsewhere; start one with `switchboard start`/);
  });

  it('still drains and exits 0 on SIGTERM after reloads', async () => {
    engine.child.kill('SIGTERM');
    expect(await engine.exited).toEqual({ code: 0, signal: null });
  });
});
