// Two engine nodes on one PostgreSQL, each with its admin listener: either node's API and
// stream show what the other served (they read the shared store), an instance disabled
// through one node's API stops answering on the other within a second, by the override
// both read, and a secret rotated through one is taken by the other.
import { afterEach, describe, expect, it } from 'vitest';
import { freshSchema, postgresAvailable, type Schema } from './support/postgres.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'cluster-admin-secret-0123456789';
const TOKEN = 'cluster-admin-token-0123456789abcdef';
const site = `
server:
  database: \${DATABASE_URL}
admin:
  tokens: [{ name: ops, token: ${TOKEN}, scope: admin }]
systems:
  - { id: sys-a, modules: [{ driver: display }] }
triggers:
  - { id: wake, actions: [{ call: Display_1.power, args: { state: true } }] }
instances:
  - { id: door, trigger: wake, system: sys-a, secret: ${SECRET} }
`;

const nodes: TestEngine[] = [];
let schema: Schema | undefined;
afterEach(async () => {
  for (const node of nodes.splice(0)) await node.cleanup();
  await schema?.drop();
  schema = undefined;
});

const fire = (node: TestEngine) => fetch(node.url(`/webhook/door/notify?secret=${SECRET}`), { method: 'POST' });
const api = (node: TestEngine, path: string, init: RequestInit = {}) =>
  fetch(`${node.engine.adminUrl}/admin/v1${path}`, { ...init, headers: { authorization: `Bearer ${TOKEN}` } });

describe.runIf(postgresAvailable)('the admin API on several nodes', () => {
  it('each node shows what the other served, and a disable through one holds on both', async () => {
    schema = await freshSchema();
    for (let i = 0; i < 2; i++)
      nodes.push(await startTestEngine({ files: { 'site.yaml': site }, env: { DATABASE_URL: schema.url } }));
    const [a, b] = nodes as [TestEngine, TestEngine];

    // B's stream is open before A serves a request.
    const controller = new AbortController();
    const stream = await fetch(`${b.engine.adminUrl}/admin/v1/stream?topics=requests`, {
      headers: { authorization: `Bearer ${TOKEN}` },
      signal: controller.signal,
    });
    const fired = await fire(a);
    expect(fired.status).toBe(202);
    const { run } = (await fired.json()) as { run: string };
    const reader = stream.body!.getReader();
    let text = '';
    const deadline = setTimeout(() => controller.abort(), 10_000);
    try {
      while (!text.includes('"outcome":"fired"')) text += new TextDecoder().decode((await reader.read()).value);
    } finally {
      clearTimeout(deadline);
      controller.abort();
    }
    expect(text).toContain(`"run":"${run}"`);
    await a.engine.settled();
    expect(await (await api(b, `/runs/${run}`)).json()).toMatchObject({ id: run, status: 'succeeded' });
    const status = (await (await api(b, '/status')).json()) as { store: string; nodes: unknown[] };
    expect(status.store).toBe('postgres');
    expect(status.nodes).toHaveLength(2);

    expect((await api(a, '/instances/door/disable', { method: 'POST' })).status).toBe(200);
    expect((await fire(a)).status).toBe(404);
    // B reads the overrides back every second.
    await expect.poll(async () => (await fire(b)).status, { timeout: 5_000, interval: 100 }).toBe(404);
    expect(await (await api(b, '/instances/door')).json()).toMatchObject({ enabled: false });
    expect((await api(b, '/overrides/instance/door/enabled', { method: 'DELETE' })).status).toBe(200);
    expect((await fire(b)).status).toBe(202);
    await expect.poll(async () => (await fire(a)).status, { timeout: 5_000, interval: 100 }).toBe(202);

    // A secret rotated through B: A takes the new one within its poll, and both keep the old one through the grace.
    const rotated = await fetch(`${b.engine.adminUrl}/admin/v1/instances/door/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ grace: '1h' }),
    });
    const secret = new URL(((await rotated.json()) as { url: string }).url).searchParams.get('secret')!;
    const fireWith = (node: TestEngine, s: string) =>
      fetch(node.url(`/webhook/door/notify?secret=${encodeURIComponent(s)}`), { method: 'POST' }).then((r) => r.status);
    expect(await fireWith(b, secret)).toBe(202);
    await expect.poll(() => fireWith(a, secret), { timeout: 5_000, interval: 100 }).toBe(202);
    expect(await fireWith(a, SECRET)).toBe(202);
    expect(await fireWith(b, SECRET)).toBe(202);
  });
});
