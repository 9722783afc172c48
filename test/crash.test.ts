// A request answered 2xx is durable: it is in the store after the process is killed
// with SIGKILL, and SIGTERM drains requests in flight before closing.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backendEnv, openBackendStore } from './support/backend-store.js';
import { spawnEngine, type EngineProcess } from './support/engine-process.js';
import { BACKENDS, type Schema } from './support/postgres.js';

const SECRET = 'crash-secret-0123456789a';
const CONFIG = `
systems:
  - id: sys-c
    modules: [{ driver: display }]
triggers:
  - id: t-c
    actions:
      - call: Display_1.power
        args: { state: true }
instances:
  - { id: trig-c, trigger: t-c, system: sys-c, secret: ${SECRET} }
`;

let dir: string;
let engine: EngineProcess | undefined;
let schema: Schema | undefined;
afterEach(async () => {
  engine?.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  await schema?.drop();
  schema = undefined;
});

function setup(): { configDir: string; dataDir: string } {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-crash-'));
  const configDir = join(dir, 'config');
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'site.yaml'), CONFIG);
  return { configDir, dataDir: join(dir, 'data') };
}

describe.each(BACKENDS)('durability on %s', (backend) => {
  it('keeps every request answered 202 after SIGKILL, and finishes their runs after restart', async () => {
    const { configDir, dataDir } = setup();
    const target = await backendEnv(backend);
    schema = target.schema;
    engine = await spawnEngine(configDir, dataDir, target.env);
    const answered: string[] = [];
    await Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const response = await fetch(`${engine!.url}/webhook/trig-c/notify?secret=${SECRET}`, {
          method: 'POST',
          body: JSON.stringify({ i }),
          headers: { 'content-type': 'application/json' },
        });
        if (response.status === 202) answered.push(((await response.json()) as { run: string }).run);
      }),
    );
    engine.child.kill('SIGKILL');
    expect((await engine.exited).signal).toBe('SIGKILL');
    expect(answered.length).toBe(100);

    const store = await openBackendStore(dataDir, schema);
    const runs = await store.database.db.selectFrom('runs').select(['id', 'request_id']).execute();
    const logged = await store.requests.list({ instanceId: 'trig-c', limit: 1000 });
    await store.close();
    expect(new Set(runs.map((r) => r.id))).toEqual(new Set(answered));
    expect(logged.filter((r) => r.outcome === 'fired').length).toBe(100);

    // After a restart every run accepted before the kill is finished (at-least-once).
    engine = await spawnEngine(configDir, dataDir, target.env);
    engine.child.kill('SIGTERM');
    const exit = await engine.exited;
    expect(exit, engine.output()).toEqual({ code: 0, signal: null });
    const after = await openBackendStore(dataDir, schema);
    const statuses = await after.database.db.selectFrom('runs').select('status').execute();
    const stats = await after.runs.stats('trig-c');
    await after.close();
    expect(statuses.every((r) => r.status === 'succeeded')).toBe(true);
    expect(stats?.trigger_count).toBe(100);
  }, 60_000);
});

describe('shutdown', () => {
  it('drains a request in flight on SIGTERM, then exits 0 with modules stopped and the database closed', async () => {
    const { configDir, dataDir } = setup();
    engine = await spawnEngine(configDir, dataDir);
    // A slow upload is in flight when SIGTERM arrives; it still gets its 202.
    const controller = new ReadableStream({
      async start(stream) {
        stream.enqueue(new TextEncoder().encode('{"slow":'));
        await new Promise((r) => setTimeout(r, 300));
        stream.enqueue(new TextEncoder().encode('true}'));
        stream.close();
      },
    });
    const inFlight = fetch(`${engine.url}/webhook/trig-c/notify?secret=${SECRET}`, {
      method: 'POST',
      body: controller,
      headers: { 'content-type': 'application/json' },
      duplex: 'half',
    } as RequestInit);
    await new Promise((r) => setTimeout(r, 100));
    engine.child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(202);
    expect((await engine.exited).code).toBe(0);
    expect(engine.output()).toContain('switchboard stopped');
    // Closed means no more connections are taken.
    await expect(fetch(`${engine.url}/healthz`)).rejects.toThrow();
  }, 60_000);
});
