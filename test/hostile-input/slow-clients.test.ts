// Slow clients (slowloris): headers or a body trickled a byte at a time, a connection that
// says nothing, a kept-alive connection left idle. Each is answered 408 or closed by the
// server's deadlines, and a normal request is served while they hang on.
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, it, vi } from 'vitest';
import { open, readUntilClosed, statusOf, targetOf, trickle, type RawTarget } from '../support/raw-http.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';
import { loggedRequest } from './support/records.js';

const SECRET = 'slow-clients-secret-0123456789';
/** Every deadline in the config is under a second; this bound only says "the server acted". */
const CLOSED_WITHIN_MS = 5_000;
const EVERY_MS = 50;

const files = {
  'site.yaml': `
server:
  headers_timeout: 300ms
  request_timeout: 800ms
  keep_alive_timeout: 300ms
systems:
  - id: sys-slow
    modules: [{ driver: display }]
triggers:
  - id: t-slow
    actions:
      - call: Display_1.power
        args: { state: true }
instances:
  - { id: slow, trigger: t-slow, system: sys-slow, secret: ${SECRET} }
`,
};

let t: TestEngine;
let target: RawTarget;
const sockets: Socket[] = [];
beforeAll(async () => {
  t = await startTestEngine({ files });
  target = targetOf(t.engine.url);
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await t.cleanup();
});

async function connect(): Promise<Socket> {
  const socket = await open(target);
  sockets.push(socket);
  return socket;
}

/** Request headers long enough that trickling them would take over ten seconds. */
function headers(label: string, extra = ''): string {
  return (
    `POST /webhook/slow/notify?secret=${SECRET}&case=${label} HTTP/1.1\r\nHost: switchboard\r\n` +
    `X-Padding: ${'p'.repeat(150)}\r\n${extra}\r\n`
  );
}

interface SlowClient {
  /** What the server sent before it closed the connection, and whether it did. */
  answer: Promise<{ text: string; closed: boolean }>;
  /** How many bytes went before the connection closed. */
  sent: Promise<number>;
}

/** Opens a connection that trickles its headers. */
async function trickleHeaders(label: string): Promise<SlowClient> {
  const socket = await connect();
  const answer = readUntilClosed(socket, CLOSED_WITHIN_MS);
  return { answer, sent: trickle(socket, headers(label), EVERY_MS) };
}

/** Opens a connection that sends complete headers, then trickles its body. */
async function trickleBody(label: string): Promise<SlowClient> {
  const socket = await connect();
  const answer = readUntilClosed(socket, CLOSED_WITHIN_MS);
  socket.write(headers(label, 'Content-Type: application/json\r\nContent-Length: 200\r\n'));
  return { answer, sent: trickle(socket, `{"x":"${'y'.repeat(192)}"}`, EVERY_MS) };
}

// Concurrent: each case mostly waits for a server deadline, and they share nothing.
describe.concurrent('slow clients', () => {
  it('answers 408 and closes a connection that trickles its headers a byte every 50 ms', async ({ expect }) => {
    const { answer, sent } = await trickleHeaders('slow-headers');
    const { text, closed } = await answer;
    expect(closed).toBe(true);
    expect(statusOf(text)).toBe(408);
    expect(await sent).toBeLessThan(headers('slow-headers').length);
  });

  it('closes a connection that sends nothing at all', async ({ expect }) => {
    const { text, closed } = await readUntilClosed(await connect(), CLOSED_WITHIN_MS);
    expect(closed).toBe(true);
    if (text) expect(statusOf(text)).toBe(408);
  });

  it('answers 408 and closes an upload whose body trickles after complete headers, and logs it unfired', async ({ expect }) => {
    const { answer, sent } = await trickleBody('slow-body');
    const { text, closed } = await answer;
    expect(closed).toBe(true);
    expect(statusOf(text)).toBe(408);
    expect(await sent).toBeLessThan(200);
    const row = await vi.waitFor(() => loggedRequest(t, 'slow-body'), { timeout: 2_000, interval: 25 });
    expect(row.run_id).toBeNull();
  });

  it('logs the timed-out upload with the 408 its caller was answered', async ({ expect }) => {
    const { answer } = await trickleBody('slow-body-status');
    expect(statusOf((await answer).text)).toBe(408);
    const row = await vi.waitFor(() => loggedRequest(t, 'slow-body-status'), { timeout: 2_000, interval: 25 });
    expect(row.status).toBe(408);
  });

  it('answers 408 and closes a kept-alive connection that trickles its next request', async ({ expect }) => {
    const socket = await connect();
    const answer = readUntilClosed(socket, CLOSED_WITHIN_MS);
    socket.write('GET /healthz HTTP/1.1\r\nHost: switchboard\r\n\r\n');
    const sent = trickle(socket, headers('slow-second'), EVERY_MS);
    const { text, closed } = await answer;
    expect(closed).toBe(true);
    expect(text).toMatch(/^HTTP\/1\.1 200 [^]*HTTP\/1\.1 408 /);
    expect(await sent).toBeLessThan(headers('slow-second').length);
  });

  it('closes a kept-alive connection left idle past keep_alive_timeout', async ({ expect }) => {
    const socket = await connect();
    const answer = readUntilClosed(socket, CLOSED_WITHIN_MS);
    socket.write('GET /healthz HTTP/1.1\r\nHost: switchboard\r\n\r\n');
    const { text, closed } = await answer;
    expect(closed).toBe(true);
    expect(statusOf(text)).toBe(200);
  });

  it('fires a normal request while several slow clients hang on, then closes them all', async ({ expect }) => {
    const slow = await Promise.all([
      trickleHeaders('crowd-h1'),
      trickleHeaders('crowd-h2'),
      trickleHeaders('crowd-h3'),
      trickleBody('crowd-b1'),
      trickleBody('crowd-b2'),
      trickleBody('crowd-b3'),
    ]);
    const idle = await Promise.all([connect(), connect()]);
    const response = await fetch(t.url(`/webhook/slow/notify?secret=${SECRET}`), { method: 'POST' });
    expect(response.status).toBe(202);
    const ends = await Promise.all([...slow.map((s) => s.answer), ...idle.map((s) => readUntilClosed(s, CLOSED_WITHIN_MS))]);
    expect(ends.map((end) => end.closed)).toEqual(ends.map(() => true));
  });
});
