// The engine on PostgreSQL (`server.database: postgres://…`), through a real listening
// server: a fire's request row, run and counters commit before the 202 and the run finishes;
// the CLI reads the same database; a second engine shares it (the module runs on one node,
// a call through the other is forwarded to it); when the server drops the engine's connections a fire is
// answered 503 with nothing recorded, and the next one commits again. Each test has a schema
// of its own.
import { afterEach, describe, expect, it } from 'vitest';
import { adminQuery, freshSchema, postgresAvailable, throughProxy } from './support/postgres.js';
import { runCli } from './support/run-cli.js';
import type { TcpProxy } from './support/tcp-proxy.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'postgres-secret-0123456789';
const site = `
server:
  database: \${DATABASE_URL}
systems:
  - { id: sys-a, modules: [{ driver: display }] }
triggers:
  - { id: wake, actions: [{ call: Display_1.power, args: { state: true } }] }
instances:
  - { id: door, trigger: wake, system: sys-a, secret: ${SECRET} }
`;

let t: TestEngine | undefined;
let drop: (() => Promise<void>) | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await proxy?.restore();
  await t?.cleanup();
  await proxy?.close();
  await drop?.();
  t = undefined;
  proxy = undefined;
});

/** An engine on a fresh schema; `via` may rewrite its database URL (to go through a proxy). */
async function start(via = async (url: string) => url): Promise<{ engine: TestEngine; url: string; schema: string }> {
  const fresh = await freshSchema();
  drop = fresh.drop;
  const url = await via(fresh.url);
  t = await startTestEngine({ files: { 'site.yaml': site }, env: { DATABASE_URL: url } });
  return { engine: t, url, schema: fresh.schema };
}

const fire = (engine: TestEngine) =>
  fetch(engine.url(`/webhook/door/notify?secret=${SECRET}`), {
    method: 'POST',
    body: '{"n":1}',
    headers: { 'content-type': 'application/json' },
  });

describe.runIf(postgresAvailable)('the engine on PostgreSQL', () => {
  it('commits a fire before its 202 and runs it; the CLI reads the same database', async () => {
    const { engine, url } = await start();
    const response = await fire(engine);
    expect(response.status).toBe(202);
    const { run } = (await response.json()) as { run: string };
    await engine.engine.settled();
    expect(await engine.engine.store.runs.get(run)).toMatchObject({ status: 'succeeded', instance_id: 'door' });
    expect(await engine.engine.store.requests.list()).toMatchObject([{ run_id: run, status: 202, outcome: 'fired' }]);
    expect(await engine.engine.store.runs.stats('door')).toMatchObject({ trigger_count: 1 });
    expect(engine.engine.modules.find('sys-a', 'Display_1')!.currentState.power).toBe(true);

    const ready = (await (await fetch(engine.url('/readyz'))).json()) as { parts: { store: { ok: boolean; detail: string } } };
    expect(ready.parts.store).toEqual({ ok: true, detail: 'ok', state: 'started' });

    const runs = await runCli(['runs', '--config', engine.configDir, '--json'], { DATABASE_URL: url });
    expect(runs.code).toBe(0);
    const lines = runs.stdout.trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { id: string; status: string }).id)).toEqual([run]);
  });

  it('lets a second engine share the database: its module runs on one node, and a fire through the other reaches it', async () => {
    const { engine: first, url } = await start();
    const second = await startTestEngine({ files: { 'site.yaml': site }, env: { DATABASE_URL: url } });
    try {
      const display = (e: TestEngine) => e.engine.modules.find('sys-a', 'Display_1')!;
      // The first node took the module's lease; the second leaves it there while the first lives.
      expect(display(first).status).toBe('running');
      expect(display(second).status).toBe('elsewhere');
      const response = await fire(second);
      expect(response.status).toBe(202);
      const { run } = (await response.json()) as { run: string };
      await second.engine.settled();
      // The second node's run called Display_1.power on the first node.
      expect(await second.engine.store.runs.get(run)).toMatchObject({ status: 'succeeded' });
      expect(display(first).currentState.power).toBe(true);
      expect(await first.engine.store.cluster.leases()).toMatchObject([{ module: 'sys-a/Display_1', epoch: 1 }]);
    } finally {
      await second.cleanup();
    }
  });

  it('answers 503 while the server cannot be reached, records nothing of those fires, and commits again once it is back', async () => {
    const { engine, schema } = await start(async (url) => {
      const proxied = await throughProxy(url);
      proxy = proxied.proxy;
      return proxied.url;
    });
    expect((await fire(engine)).status).toBe(202);
    await proxy!.cut(); // the server goes away: its connections reset, new ones refused
    const refused = await fire(engine);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: 'store_unavailable' });
    expect(refused.headers.get('retry-after')).toBe('5');
    const ready = (await (await fetch(engine.url('/readyz'))).json()) as { parts: { store: { ok: boolean; detail: string } } };
    expect(ready.parts.store).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/^the database server cannot be reached/),
    });
    await proxy!.restore();
    const next = await fire(engine);
    expect(next.status).toBe(202);
    await engine.engine.settled();
    const rows = await adminQuery(`select outcome from "${schema}".request_log order by received_at`);
    expect(rows.rows.map((r: { outcome: string }) => r.outcome)).toEqual(['fired', 'fired']);
  });
});
