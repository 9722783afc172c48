// The real `switchboard start` process, sent every kind of hostile request at once (deep
// JSON, a gzip bomb, a header flood, broken gzip, slowloris sockets, bad percent-encoding,
// a prototype-polluting body, binary garbage, a garbage request line): it is still running,
// healthy and firing afterwards, logged none of it as its own fault, and stops cleanly
// without letting slow clients hold the shutdown past their deadlines.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnEngine, type EngineProcess } from '../support/engine-process.js';
import { open, readUntilClosed, targetOf, trickle, type RawTarget } from '../support/raw-http.js';
import { exchange } from './support/exchange.js';
import { deepJson, GARBLED_GZIP, zeroBomb } from './support/hostile-bodies.js';

const SECRET = 'spawned-hostile-secret-0123456789';
const CONFIG = `
server:
  body_limit: 512kb
  max_header_size: 8kb
  headers_timeout: 300ms
  request_timeout: 600ms
  keep_alive_timeout: 1s
  shutdown_timeout: 5s
systems:
  - id: sys-sp
    modules: [{ driver: display }]
triggers:
  - id: t-sp
    actions:
      - call: Display_1.power
        args: { state: true }
instances:
  - { id: spawned, trigger: t-sp, system: sys-sp, secret: ${SECRET} }
`;

let dir: string;
let engine: EngineProcess;
let target: RawTarget;
const sockets: Socket[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-hostile-'));
  const configDir = join(dir, 'config');
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'site.yaml'), CONFIG);
  engine = await spawnEngine(configDir, join(dir, 'data'));
  target = targetOf(engine.url);
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  if (engine && engine.child.exitCode === null && engine.child.signalCode === null) {
    engine.child.kill('SIGKILL');
    await engine.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const FIRE_PATH = `/webhook/spawned/notify?secret=${SECRET}`;

function post(body: string | Buffer, headers: Record<string, string>): Promise<number> {
  return fetch(`${engine.url}${FIRE_PATH}`, {
    method: 'POST',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers,
  }).then(async (response) => {
    await response.arrayBuffer();
    return response.status;
  });
}

/** A slowloris: a connection trickling its headers; resolves when the server closes it. */
async function slowloris(): Promise<boolean> {
  const socket = await open(target);
  sockets.push(socket);
  const ended = readUntilClosed(socket, 5_000);
  void trickle(socket, `POST ${FIRE_PATH} HTTP/1.1\r\nHost: switchboard\r\nX-Pad: ${'p'.repeat(200)}\r\n\r\n`, 50);
  return (await ended).closed;
}

function rawStatus(request: string): Promise<number | undefined> {
  return exchange(target, request).then((answer) => answer.status);
}

describe('a spawned engine under hostile input', () => {
  it('answers each hostile request with a 4xx, and closes the slowloris sockets', async () => {
    const bomb = await zeroBomb('gzip', 50);
    const json = { 'content-type': 'application/json' };
    const slow = [slowloris(), slowloris(), slowloris()];
    const statuses = await Promise.all([
      post(deepJson(100_000), json),
      post(bomb, { ...json, 'content-encoding': 'gzip' }),
      rawStatus(`POST ${FIRE_PATH} HTTP/1.1\r\nHost: switchboard\r\nX-Flood: ${'a'.repeat(20 * 1024)}\r\n\r\n`),
      post(GARBLED_GZIP, { ...json, 'content-encoding': 'gzip' }),
      rawStatus(
        `POST /webhook/%E0%A4%A/notify?secret=${SECRET} HTTP/1.1\r\nHost: switchboard\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
      ),
      post(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) % 256)), json),
      rawStatus('\u0000\u0001GARBAGE LINE\r\n\r\n'),
    ]);
    expect(statuses).toEqual([400, 413, 431, 400, 404, 400, 400]);
    expect(await post('{"__proto__":{"polluted":1}}', json)).toBe(202);
    expect(await Promise.all(slow)).toEqual([true, true, true]);
  });

  it('is still running, answers /healthz and fires a normal request', async () => {
    expect(engine.child.exitCode).toBeNull();
    expect(engine.child.signalCode).toBeNull();
    const health = await fetch(`${engine.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    expect(await post('{"normal":true}', { 'content-type': 'application/json' })).toBe(202);
  });

  it('logged none of it as an engine error', () => {
    const errors = engine
      .output()
      .split('\n')
      .filter((line) => /"level":(50|60)/.test(line));
    expect(errors).toEqual([]);
  });

  it('stops on SIGTERM within its deadlines although slow clients hold connections open', async () => {
    const idle = await open(target);
    sockets.push(idle);
    const headers = await open(target);
    sockets.push(headers);
    void trickle(headers, `POST ${FIRE_PATH} HTTP/1.1\r\nHost: switchboard\r\nX-Pad: ${'p'.repeat(400)}\r\n\r\n`, 50);
    const body = await open(target);
    sockets.push(body);
    body.write(`POST ${FIRE_PATH} HTTP/1.1\r\nHost: switchboard\r\nContent-Length: 400\r\n\r\n`);
    void trickle(body, 'y'.repeat(400), 50);
    const started = Date.now();
    engine.child.kill('SIGTERM');
    const exit = await engine.exited;
    const took = Date.now() - started;
    expect(exit, engine.output()).toEqual({ code: 0, signal: null });
    // headers_timeout is 300 ms and request_timeout 600 ms; shutdown_timeout (5 s) is only the backstop.
    expect(took).toBeLessThan(3_000);
  });
});
