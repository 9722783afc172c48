// Overrides from the command line, against a running engine: `instances --disable` stores an
// override the engine applies within a second by itself, `instances` and `overrides` show it
// and what it shadows, `check` notes it, it survives a restart, and `overrides --clear` gives
// the YAML back. Bad names and unknown instances get a clear error.
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { basicConfig, startTestEngine, type TestEngine } from './support/test-engine.js';

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const SECRET = 'room-secret-0123456789';
const notify = (engine: TestEngine) => fetch(engine.url(`/webhook/trig-room/notify?secret=${SECRET}`), { method: 'POST' });

describe('overrides from the CLI', () => {
  it('a disable is applied by the running engine, listed, noted by check, kept across a restart, and cleared', async () => {
    t = await startTestEngine({ files: basicConfig() });
    const cli = (...args: string[]) => runCli([...args, '--config', t!.configDir, '--data', t!.dataDir]);
    expect((await notify(t)).status).toBe(202);

    const disabled = await cli('instances', '--disable', 'trig-room');
    expect(disabled.code).toBe(0);
    expect(disabled.stdout).toContain("trig-room disabled by an override (over the YAML's enabled: true)");
    // The engine reads the overrides back every second: no call to it is needed.
    await expect.poll(async () => (await notify(t!)).status, { timeout: 5_000, interval: 100 }).toBe(404);

    const listed = await cli('instances', '--json');
    expect(JSON.parse(listed.stdout.trim())).toMatchObject({ id: 'trig-room', enabled: false, reachable: false });
    const overrides = await cli('overrides');
    expect(overrides.stdout).toMatch(/^instance\/trig-room\/enabled = false {2}\(shadows the YAML's true; set by cli at \d{4}-/);
    const checked = await runCli(['check', '--config', t.configDir, '--data', t.dataDir]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).toContain('note: override shadows the YAML: instance/trig-room/enabled: the YAML says true');

    t = await t.restart();
    expect((await notify(t)).status).toBe(404);

    const clearedOut = await cli('overrides', '--clear', 'instance/trig-room/enabled');
    expect(clearedOut.stdout).toContain('instance/trig-room/enabled cleared: the YAML decides again (true)');
    await t.engine.live.followOverrides();
    expect((await notify(t)).status).toBe(202);
    expect((await cli('overrides')).stdout).toContain('no overrides');
  });

  it('refuses an unknown instance, a malformed name and both flags, naming what is wrong', async () => {
    t = await startTestEngine({ files: basicConfig() });
    const cli = (...args: string[]) => runCli([...args, '--config', t!.configDir, '--data', t!.dataDir]);
    const unknown = await cli('instances', '--disable', 'trig-nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no instance "trig-nope" in the config; instances: trig-room');
    const malformed = await cli('overrides', '--clear', 'trig-room');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('"trig-room" is not an override\'s name; write TARGET/ID/FIELD');
    expect((await cli('overrides', '--clear', 'instance/trig-room/enabled')).stderr).toContain(
      'no override instance/trig-room/enabled',
    );
    expect((await cli('instances', '--enable', 'a', '--disable', 'b')).stderr).toContain('give --enable or --disable, not both');
  });

  it('check reads the overrides without creating a store where there is none', async () => {
    t = await startTestEngine({ files: basicConfig() });
    const checked = await runCli(['check', '--config', t.configDir, '--data', `${t.dir}/no-store-here`]);
    expect(checked.code).toBe(0);
    expect(checked.stdout).not.toContain('note:');
    const { existsSync } = await import('node:fs');
    expect(existsSync(`${t.dir}/no-store-here`)).toBe(false);
  });
});
