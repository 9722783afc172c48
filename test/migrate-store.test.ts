// `switchboard migrate-store`: an engine's SQLite database moved into PostgreSQL. The same
// config then starts on PostgreSQL with everything it had: its generated trigger secrets,
// runs, request log, deliveries and module state, and sequences that go on from the copy.
// A target that holds rows is refused unless --force; a running engine is refused.
import { afterEach, describe, expect, it } from 'vitest';
import { adminQuery, freshSchema, postgresAvailable } from './support/postgres.js';
import { runCli } from './support/run-cli.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const site = `
server: { database: "\${DATABASE_URL:-sqlite}" }
systems:
  - { id: sys-a, modules: [{ driver: display }] }
triggers:
  - id: wake
    actions:
      - { call: Display_1.power, args: { state: true } }
      - { call: Display_1.volume, args: { level: 40 } }
      - { emit: room.woken, data: { by: door } }
instances:
  - { id: door, trigger: wake, system: sys-a }
subscriptions:
  - { id: crm, url: "http://127.0.0.1:9/hooks", events: ["room.*"] }
`;

let t: TestEngine | undefined;
let drop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await t?.cleanup();
  await drop?.();
  t = undefined;
});

const fire = async (engine: TestEngine, secret: string) =>
  (await fetch(engine.url(`/webhook/door/notify?secret=${secret}`), { method: 'POST' })).status;

describe.runIf(postgresAvailable)('switchboard migrate-store', () => {
  it('moves every table into PostgreSQL, counts checked, and the engine goes on from there', async () => {
    t = await startTestEngine({ files: { 'site.yaml': site } });
    const secret = await t.secret('door');
    for (let i = 0; i < 3; i++) expect(await fire(t, secret)).toBe(202);
    await t.engine.settled();
    const engineRunning = await runCli(['migrate-store', '--config', t.configDir, '--data', t.dataDir, '--to', 'postgres://x/y']);
    expect(engineRunning.code).toBe(1);
    expect(engineRunning.stderr).toMatch(/an engine \(pid \d+\) is running on .*; stop it first/);
    await t.stop();

    const fresh = await freshSchema();
    drop = fresh.drop;
    const args = ['migrate-store', '--config', t.configDir, '--data', t.dataDir, '--to', fresh.url];
    const moved = await runCli(args);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(/^runs +3 → +3$/m);
    expect(moved.stdout).toMatch(/^request_log +3 → +3$/m);
    expect(moved.stdout).toMatch(/^run_actions +6 → +6$/m);
    expect(moved.stdout).toMatch(/^instance_secrets +1 → +1$/m);
    expect(moved.stdout).toMatch(/^module_state +1 → +1$/m);
    expect(moved.stdout).toMatch(/every count matches/);
    expect(moved.stdout).not.toMatch(/MISMATCH/);
    const deliveries = await adminQuery(`select count(*)::int as n from "${fresh.schema}".deliveries`);
    expect(deliveries.rows[0].n).toBe(3);

    // A second copy into the same target is refused, unless told to replace it.
    const again = await runCli(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds rows: .*runs 3.*; give --force to empty it and copy again/);
    expect((await runCli([...args, '--force'])).code).toBe(0);

    // The same config on PostgreSQL: the generated secret still opens the trigger URL, and new
    // runs and their action rows go on after the copied ones.
    t = await startTestEngine({ files: { 'site.yaml': site }, dir: t.dir, env: { DATABASE_URL: fresh.url } });
    // Not even --force copies into a database an engine runs on.
    const elsewhere = ['migrate-store', '--config', t.configDir, '--data', `${t.dir}/another`, '--to', fresh.url, '--force'];
    const underEngine = await runCli(elsewhere);
    expect(underEngine.code).toBe(1);
    expect(underEngine.stderr).toMatch(
      /engine nodes run on the target database \(node_\S+ at http:\/\/127\.0\.0\.1:\d+\); stop them first/,
    );
    expect(t.engine.modules.find('sys-a', 'Display_1')!.currentState).toMatchObject({ power: true, volume: 40 });
    expect(await fire(t, secret)).toBe(202);
    await t.engine.settled();
    expect(await t.engine.store.runs.list()).toHaveLength(4);
    expect((await t.engine.store.runs.stats('door'))?.trigger_count).toBe(4);
    const actions = await adminQuery(`select count(*)::int as n from "${fresh.schema}".run_actions`);
    expect(actions.rows[0].n).toBe(8);
  });

  it('says what is wrong with its arguments and its config', async () => {
    t = await startTestEngine({ files: { 'site.yaml': site } });
    await t.stop();
    const noTarget = await runCli(['migrate-store', '--config', t.configDir, '--data', t.dataDir]);
    expect(noTarget).toMatchObject({ code: 2 });
    expect(noTarget.stderr).toMatch(/migrate-store needs --to postgres:\/\//);
    const onPostgres = await runCli(['migrate-store', '--config', t.configDir, '--to', 'postgres://x/y'], {
      DATABASE_URL: 'postgres://elsewhere/db',
    });
    expect(onPostgres.code).toBe(1);
    expect(onPostgres.stderr).toMatch(/already keeps its data in PostgreSQL/);
    // A server that cannot be reached is said so, and the password in the URL is never printed.
    const unreachable = await runCli([
      'migrate-store',
      '--config',
      t.configDir,
      '--data',
      t.dataDir,
      '--to',
      'postgres://sb:s3cretpw@127.0.0.1:1/db',
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/ECONNREFUSED/);
    expect(unreachable.stdout + unreachable.stderr).not.toContain('s3cretpw');
  });
});
