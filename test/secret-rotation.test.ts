// Secret rotation through a running engine: a new secret from the admin API (admin scope) or
// `switchboard rotate`, stored as an override; the old secret passes until the grace ends on the
// engine's clock, then answers 404 like any wrong secret; `urls` prints the new URL and when the
// old one stops; no view of the overrides, nor a kept config generation, ever holds a secret.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { runCli } from './support/run-cli.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const ADMIN = 'rotation-admin-token-0123456789abcdef';
const OPS = 'rotation-ops-token-0123456789abcdefgh';
const CONFIGURED = 'configured-secret-0123456789';
const site = `
admin:
  tokens:
    - { name: root, token: ${ADMIN}, scope: admin }
    - { name: ops, token: ${OPS}, scope: operate }
systems:
  - { id: sys-a, modules: [{ driver: display }] }
triggers:
  - { id: wake, actions: [{ call: Display_1.power, args: { state: true } }] }
instances:
  - { id: door, trigger: wake, system: sys-a, secret: ${CONFIGURED} }
  - { id: gate, trigger: wake, system: sys-a }
`;

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const fire = (engine: TestEngine, instance: string, secret: string) =>
  fetch(engine.url(`/webhook/${instance}/notify?secret=${encodeURIComponent(secret)}`), { method: 'POST' }).then((r) => r.status);
const api = (engine: TestEngine, token: string, path: string, body?: unknown) =>
  fetch(`${engine.engine.adminUrl}/admin/v1${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

describe('secret rotation', () => {
  it('the old secret passes until the grace ends on the engine clock, the new one from the start, across a restart', async () => {
    const clock = new FakeClock();
    t = await startTestEngine({ clock, files: { 'site.yaml': site } });
    expect((await api(t, OPS, '/instances/door/rotate', { grace: '1h' })).status).toBe(403);
    const rotated = await api(t, ADMIN, '/instances/door/rotate', { grace: '1h' });
    expect(rotated.status).toBe(200);
    const view = (await rotated.json()) as { url: string; previous_valid_until: string };
    const secret = new URL(view.url).searchParams.get('secret')!;
    expect(secret).not.toBe(CONFIGURED);
    expect(view.previous_valid_until).toBe(new Date(clock.now() + 3_600_000).toISOString());
    expect(await fire(t, 'door', secret)).toBe(202);
    expect(await fire(t, 'door', CONFIGURED)).toBe(202);

    clock.advance(3_600_000 - 1);
    expect(await fire(t, 'door', CONFIGURED)).toBe(202);
    clock.advance(1);
    expect(await fire(t, 'door', CONFIGURED)).toBe(404);
    expect(await fire(t, 'door', secret)).toBe(202);

    // Listed as an override that shadows the YAML's configured secret, never with a secret in it.
    const overrides = await runCli(['overrides', '--json', '--config', t.configDir, '--data', t.dataDir]);
    expect(JSON.parse(overrides.stdout.trim())).toMatchObject({
      name: 'instance/door/secret',
      effect: 'shadows',
      yaml: 'configured',
      value: { rotated: true },
      set_by: 'root',
    });
    expect(overrides.stdout).not.toContain(secret);
    expect(overrides.stdout).not.toContain(CONFIGURED);
    const checked = await runCli(['check', '--config', t.configDir, '--data', t.dataDir]);
    expect(checked.stdout).toContain('instance/door/secret: the YAML configures a secret, a rotation replaced it');
    const listedByApi = await (await api(t, ADMIN, '/overrides')).text();
    expect(listedByApi).not.toContain(secret);
    // A kept config generation holds no secret from a rotation either.
    const kept = await t.engine.store.database.db.selectFrom('config_generations').select('overrides').execute();
    expect(JSON.stringify(kept)).not.toContain(secret);

    t = await t.restart();
    expect(await fire(t, 'door', secret)).toBe(202);
    expect(await fire(t, 'door', CONFIGURED)).toBe(404);
  });

  it('switchboard rotate: a generated secret replaced, the old one refused at once with --grace 0; urls prints the new one', async () => {
    t = await startTestEngine({ files: { 'site.yaml': site } });
    const cli = (...args: string[]) => runCli([...args, '--config', t!.configDir, '--data', t!.dataDir]);
    const old = await t.secret('gate');
    expect(await fire(t, 'gate', old)).toBe(202);
    const rotated = await cli('rotate', 'gate', '--grace', '0');
    expect(rotated.code).toBe(0);
    const secret = /new secret (\S+)/.exec(rotated.stdout)![1]!;
    expect(rotated.stdout).toContain('the old secret stops passing as soon as the engine applies this');
    await t.engine.live.followOverrides();
    expect(await fire(t, 'gate', old)).toBe(404);
    expect(await fire(t, 'gate', secret)).toBe(202);
    expect((await cli('urls')).stdout).toContain(
      `gate\t${t.engine.url}/webhook/gate/notify?secret=${encodeURIComponent(secret)}`,
    );
    const listed = (await cli('overrides')).stdout;
    expect(listed).toMatch(
      /^instance\/gate\/secret = \{"rotated":true,"previous_valid_until":null\} {2}\(replaces the generated secret \(the YAML gives none\); set by cli at /,
    );
    expect(listed).not.toContain(secret);

    const graced = await cli('rotate', 'gate', '--grace', '2h');
    const newest = /new secret (\S+)/.exec(graced.stdout)![1]!;
    await t.engine.live.followOverrides();
    expect(await fire(t, 'gate', newest)).toBe(202);
    expect(await fire(t, 'gate', secret)).toBe(202);
    expect((await cli('urls')).stdout).toMatch(/gate\t\S+\t\(the previous secret passes until \d{4}-/);
    // Clearing the override gives the generated secret back.
    await cli('overrides', '--clear', 'instance/gate/secret');
    await t.engine.live.followOverrides();
    expect(await fire(t, 'gate', old)).toBe(202);
    expect(await fire(t, 'gate', newest)).toBe(404);
  });

  it('refuses an unknown instance, a bad grace and a missing id, naming what is wrong', async () => {
    t = await startTestEngine({ files: { 'site.yaml': site } });
    const cli = (...args: string[]) => runCli([...args, '--config', t!.configDir, '--data', t!.dataDir]);
    expect((await cli('rotate', 'nope')).stderr).toContain('no instance "nope" in the config; instances: door, gate');
    const badGrace = await cli('rotate', 'door', '--grace', 'soon');
    expect(badGrace.code).toBe(2);
    expect(badGrace.stderr).toContain('--grace must be a duration such as 24h');
    expect((await cli('rotate')).stderr).toContain('rotate needs an instance id');
    const api404 = await api(t, ADMIN, '/instances/nope/rotate', {});
    expect(api404.status).toBe(404);
    expect((await api(t, ADMIN, '/instances/door/rotate', { grace: 'soon' })).status).toBe(400);
  });
});
