// A delivery whose attempt is cut short by SIGKILL is sent again after restart with the
// same event id: an engine process and a receiver process, both real.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LIVE_WITHIN_MS } from '../src/store/node-liveness.js';
import { backendEnv, openBackendStore } from './support/backend-store.js';
import { spawnEngine, type EngineProcess } from './support/engine-process.js';
import { BACKENDS, type Schema } from './support/postgres.js';

// The receiver hangs on its first request (the engine is killed meanwhile) and answers 200 after.
const RECEIVER = `
import { createServer } from 'node:http';
let seen = 0;
const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    seen++;
    console.log(JSON.stringify({ id: req.headers['webhook-id'], body }));
    if (seen === 1) return;
    res.writeHead(200).end('ok');
  });
});
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

let dir: string;
let schema: Schema | undefined;
const children: ChildProcess[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  await schema?.drop();
  schema = undefined;
});

function startReceiver(): Promise<{ child: ChildProcess; port: number; lines: () => { id: string; body: string }[] }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (c) => (out += c));
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { id: string; body: string });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('receiver did not start')), 10_000);
    child.stdout!.on('data', () => {
      const match = /port (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]), lines });
      }
    });
  });
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(BACKENDS)('outbound durability on %s', (backend) => {
  it('sends a delivery again with the same event id after the engine is killed during its attempt', async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-outbound-crash-'));
    const configDir = join(dir, 'config');
    const dataDir = join(dir, 'data');
    mkdirSync(configDir);
    const receiver = await startReceiver();
    writeFileSync(
      join(configDir, 'site.yaml'),
      `
outbound:
  allow: [127.0.0.1]
systems:
  - id: sys-c
    modules: [{ driver: display }]
triggers:
  - id: t-c
instances:
  - { id: trig-c, trigger: t-c, system: sys-c, secret: outbound-crash-secret-01 }
subscriptions:
  - { id: sub-c, url: "http://127.0.0.1:${receiver.port}/hook", events: [trigger.fired], timeout: 60s }
`,
    );
    const target = await backendEnv(backend);
    schema = target.schema;
    let engine: EngineProcess = await spawnEngine(configDir, dataDir, target.env);
    children.push(engine.child);
    const response = await fetch(`${engine.url}/webhook/trig-c/notify?secret=outbound-crash-secret-01`, { method: 'POST' });
    expect(response.status).toBe(202);
    const [first] = await until('the first attempt', () => (receiver.lines().length >= 1 ? receiver.lines() : undefined));
    engine.child.kill('SIGKILL');
    await engine.exited;

    engine = await spawnEngine(configDir, dataDir, target.env);
    children.push(engine.child);
    // On PostgreSQL the killed node's lease passes on once its heartbeats stop (LIVE_WITHIN_MS): nodes share the outbox.
    const [, second] = await until(
      'the attempt after restart',
      () => (receiver.lines().length >= 2 ? receiver.lines() : undefined),
      backend === 'postgres' ? LIVE_WITHIN_MS + 15_000 : undefined,
    );
    expect(second!.id).toBe(first!.id);
    expect(JSON.parse(second!.body).id).toBe(JSON.parse(first!.body).id);
    engine.child.kill('SIGTERM');
    expect((await engine.exited).code).toBe(0);

    const store = await openBackendStore(dataDir, schema);
    const deliveries = await store.outbox.list();
    await store.close();
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ status: 'succeeded', subscription_id: 'sub-c', last_status: 200 });
  }, 90_000);
});
