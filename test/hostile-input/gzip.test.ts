// Compressed bodies: gzip, deflate and br are decoded for the run; a bomb (50 MB of zeros
// in a few kilobytes) is cut off at server.body_limit counted in decoded bytes; broken
// data is 400 and an unknown encoding 415, each answered quickly and logged.
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';
import { GARBLED_GZIP, TRUNCATED_GZIP, zeroBomb, type Encoding } from './support/hostile-bodies.js';
import { loggedRequest, runOf } from './support/records.js';

const SECRET = 'gzip-secret-0123456789ab';
const LIMIT = 64 * 1024;
const BOMB_MEGABYTES = 50;
const PAYLOAD = { camera: 'east', motion: true, frames: [1, 2, 3] };

const files = {
  'site.yaml': `
server:
  body_limit: 64kb
systems:
  - id: sys-gz
    modules: [{ driver: display }]
triggers:
  - id: t-gz
    actions:
      - call: Display_1.power
        args: { state: true }
      # Reads the body, so the run keeps it as its input (a run keeps only what its actions read).
      - emit: test.body_seen
        data: { body: "{{ body }}" }
instances:
  - { id: gz, trigger: t-gz, system: sys-gz, secret: ${SECRET} }
`,
};

const COMPRESS: Record<Encoding, (data: Buffer) => Buffer> = {
  gzip: (data) => gzipSync(data),
  deflate: (data) => deflateSync(data),
  br: (data) => brotliCompressSync(data),
};

let t: TestEngine;
const bombs = new Map<Encoding, Buffer>();
beforeAll(async () => {
  t = await startTestEngine({ files });
  for (const encoding of ['gzip', 'deflate', 'br'] as const) bombs.set(encoding, await zeroBomb(encoding, BOMB_MEGABYTES));
});
afterAll(async () => t.cleanup());

function post(label: string, body: Buffer, encoding: string): Promise<Response> {
  return fetch(t.url(`/webhook/gz/notify?secret=${SECRET}&case=${label}`), {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { 'content-type': 'application/json', 'content-encoding': encoding },
  });
}

async function expectRefused(response: Response, status: number, error: string, label: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(((await response.json()) as { error: string }).error).toBe(error);
  expect(await loggedRequest(t, label)).toMatchObject({ status, outcome: error, run_id: null });
}

describe('compressed bodies', () => {
  it.each(['gzip', 'deflate', 'br'] as const)(
    'fires for a %s JSON body with the decoded body as the run input',
    async (encoding) => {
      const response = await post(`ok-${encoding}`, COMPRESS[encoding](Buffer.from(JSON.stringify(PAYLOAD))), encoding);
      expect(response.status).toBe(202);
      const { run } = (await response.json()) as { run: string };
      await t.engine.settled();
      expect((await runOf(t, run)).input.body).toEqual(PAYLOAD);
    },
  );

  it.each(['gzip', 'deflate', 'br'] as const)(
    'answers 413 for a %s bomb of 50 MB of zeros without inflating it',
    async (encoding) => {
      const bomb = bombs.get(encoding)!;
      // Small enough on the wire: only the decoded size can be over the limit.
      expect(bomb.length).toBeLessThan(LIMIT);
      const before = process.memoryUsage().rss;
      const started = Date.now();
      const response = await post(`bomb-${encoding}`, bomb, encoding);
      expect(Date.now() - started).toBeLessThan(5_000);
      await expectRefused(response, 413, 'payload_too_large', `bomb-${encoding}`);
      // Loose on purpose (the test shares this process): inflating it all would add 50 MB.
      expect(process.memoryUsage().rss - before).toBeLessThan(30 * 1024 * 1024);
    },
  );

  it.each([
    ['garbled-gzip', GARBLED_GZIP, 'gzip'],
    ['truncated-gzip', TRUNCATED_GZIP, 'gzip'],
    ['plain-as-gzip', Buffer.from(JSON.stringify(PAYLOAD)), 'gzip'],
    ['garbled-deflate', Buffer.from([0x78, 0x9c, 0xff, 0xff, 0x00, 0x13]), 'deflate'],
    ['garbled-br', Buffer.from('definitely not brotli'), 'br'],
  ])('answers 400 body_malformed for %s and logs it', async (label, body, encoding) => {
    await expectRefused(await post(label, body, encoding), 400, 'body_malformed', label);
  });

  it.each([
    ['compress', 'compress'],
    ['made-up', 'x-evil'],
    ['stacked', 'gzip, gzip'],
  ])('answers 415 unsupported_encoding for Content-Encoding %s and logs it', async (label, encoding) => {
    await expectRefused(await post(label, gzipSync('{}'), encoding), 415, 'unsupported_encoding', label);
  });

  it('still answers /healthz and fires after all of that', async () => {
    expect((await fetch(t.url('/healthz'))).status).toBe(200);
    expect((await post('after', gzipSync('{}'), 'gzip')).status).toBe(202);
  });
});
