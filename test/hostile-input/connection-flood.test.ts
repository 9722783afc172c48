// Connection floods: one address holding idle sockets, then many addresses filling the
// total. A connection over either cap is answered 503 too_many_connections and closed,
// whatever it sends never reaches a trigger, and others (and later) are still served.
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { open, targetOf, type RawTarget } from '../support/raw-http.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';
import { exchange, type Exchange } from './support/exchange.js';
import { recordCounts } from './support/records.js';

const SECRET = 'connection-flood-secret-0123456789';
const MAX_CONNECTIONS = 20;
const PER_ADDRESS = 5;
const FIRE = `POST /webhook/conn/notify?secret=${SECRET} HTTP/1.1\r\nHost: switchboard\r\nContent-Length: 0\r\n\r\n`;
const HEALTH = 'GET /healthz HTTP/1.1\r\nHost: switchboard\r\n\r\n';

const files = {
  'site.yaml': `
server:
  max_connections: ${MAX_CONNECTIONS}
  max_connections_per_address: ${PER_ADDRESS}
  headers_timeout: 10s
  keep_alive_timeout: 10s
systems:
  - id: sys-conn
    modules: [{ driver: display }]
triggers:
  - id: t-conn
    actions:
      - call: Display_1.power
        args: { state: true }
instances:
  - { id: conn, trigger: t-conn, system: sys-conn, secret: ${SECRET} }
`,
};

let t: TestEngine;
let target: RawTarget;
const held: Socket[] = [];
beforeAll(async () => {
  t = await startTestEngine({ files });
  target = targetOf(t.engine.url);
});
afterAll(async () => {
  for (const socket of held) socket.destroy();
  await t.cleanup();
});

/** Holds `count` idle connections from `address`. */
async function hold(address: string, count: number): Promise<Socket[]> {
  const sockets = await Promise.all(Array.from({ length: count }, () => open(target, address)));
  held.push(...sockets);
  return sockets;
}

/** Holds a kept-alive connection from `address` once the server has answered on it. */
async function holdServed(address: string): Promise<string> {
  const socket = await open(target, address);
  held.push(socket);
  return new Promise((resolve) => {
    socket.setEncoding('latin1');
    socket.once('data', (chunk: string) => resolve(chunk));
    socket.write(HEALTH);
  });
}

function expectRefused(answer: Exchange): void {
  expect(answer.status).toBe(503);
  expect(answer.text).toContain('"error":"too_many_connections"');
  expect(answer.closed).toBe(true);
}

/** Waits until the server counts exactly `count` open connections (it learns of closes a moment late). */
async function openConnectionsAre(count: number): Promise<void> {
  await vi.waitFor(() => expect(t.engine.http.gate.open).toBe(count), { timeout: 3_000, interval: 20 });
}

describe('connection floods', () => {
  it('answers 503 too_many_connections and closes the 6th connection from one address', async () => {
    await hold('127.0.0.2', PER_ADDRESS);
    expectRefused(await exchange(target, '', { localAddress: '127.0.0.2' }));
  });

  it('never fires a request written at once on a refused connection', async () => {
    const before = await recordCounts(t);
    expectRefused(await exchange(target, FIRE, { localAddress: '127.0.0.2' }));
    // A fire that got through would be committed by the time a later one is.
    const normal = await fetch(t.url(`/webhook/conn/notify?secret=${SECRET}`), {
      method: 'POST',
      headers: { connection: 'close' },
    });
    expect(normal.status).toBe(202);
    await t.engine.settled();
    expect(await recordCounts(t)).toEqual({ requests: before.requests + 1, runs: before.runs + 1 });
  });

  it('fires a normal request from another address while the flood is held', async () => {
    const response = await fetch(t.url(`/webhook/conn/notify?secret=${SECRET}`), {
      method: 'POST',
      headers: { connection: 'close' },
    });
    expect(response.status).toBe(202);
    expect(((await response.json()) as { fired: boolean }).fired).toBe(true);
  });

  it('answers 503 to a fresh address once many addresses fill the total', async () => {
    await openConnectionsAre(PER_ADDRESS);
    for (const address of ['127.0.0.3', '127.0.0.4', '127.0.0.5']) {
      const answers = await Promise.all(Array.from({ length: PER_ADDRESS }, () => holdServed(address)));
      for (const answer of answers) expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    }
    expect(t.engine.http.gate.open).toBe(MAX_CONNECTIONS);
    expectRefused(await exchange(target, FIRE, { localAddress: '127.0.0.6' }));
    expectRefused(await exchange(target, '', { localAddress: '127.0.0.1' }));
  });

  it('serves new connections again once the held ones close', async () => {
    for (const socket of held.splice(0)) socket.destroy();
    await openConnectionsAre(0);
    for (const address of ['127.0.0.2', '127.0.0.6']) {
      const answer = await exchange(target, `${HEALTH.slice(0, -2)}Connection: close\r\n\r\n`, { localAddress: address });
      expect(answer.status).toBe(200);
    }
    await hold('127.0.0.2', PER_ADDRESS);
    expectRefused(await exchange(target, '', { localAddress: '127.0.0.2' }));
  });
});
