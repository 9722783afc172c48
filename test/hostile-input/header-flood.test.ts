// Header blocks over server.max_header_size (one huge header, thousands of small ones, a
// huge URL) are answered 431 by Node and the connection is closed; none reaches a trigger.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetOf } from '../support/raw-http.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';
import { exchange } from './support/exchange.js';
import { loggedRequest, recordCounts } from './support/records.js';

const SECRET = 'header-flood-secret-0123456789';

const files = {
  'site.yaml': `
server:
  max_header_size: 8kb
systems:
  - id: sys-hf
    modules: [{ driver: display }]
triggers:
  - id: t-hf
    actions:
      - call: Display_1.power
        args: { state: true }
instances:
  - { id: flood, trigger: t-hf, system: sys-hf, secret: ${SECRET} }
`,
};

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({ files });
});
afterAll(async () => t.cleanup());

/** A complete POST to the trigger with `headers` added, as raw bytes. */
function request(headers: string[], path = `/webhook/flood/notify?secret=${SECRET}`): string {
  return [`POST ${path} HTTP/1.1`, 'Host: switchboard', 'Content-Length: 0', ...headers, '', ''].join('\r\n');
}

describe('header floods', () => {
  it.each([
    ['one 20 KB header', request([`X-Flood: ${'a'.repeat(20 * 1024)}`])],
    ['3,000 small headers', request(Array.from({ length: 3_000 }, (_, i) => `X-Flood-${i}: v`))],
    ['a 20 KB URL', request([], `/webhook/flood/notify?secret=${SECRET}&pad=${'b'.repeat(20 * 1024)}`)],
  ])('answers 431 for %s, closes the connection, and fires nothing', async (_, raw) => {
    const before = await recordCounts(t);
    const answer = await exchange(targetOf(t.engine.url), raw);
    expect(answer.status).toBe(431);
    expect(answer.closed).toBe(true);
    expect(await recordCounts(t)).toEqual(before);
  });

  it('fires for many small headers that stay under the limit', async () => {
    const headers = Array.from({ length: 100 }, (_, i) => `X-Small-${i}: ${i}`);
    const raw = request([...headers, 'Connection: close'], `/webhook/flood/notify?secret=${SECRET}&case=under`);
    expect((await exchange(targetOf(t.engine.url), raw)).status).toBe(202);
    expect((await loggedRequest(t, 'under')).outcome).toBe('fired');
  });

  it('still fires a normal request after the floods', async () => {
    const response = await fetch(t.url(`/webhook/flood/notify?secret=${SECRET}`), { method: 'POST' });
    expect(response.status).toBe(202);
    expect((await fetch(t.url('/healthz'))).status).toBe(200);
  });
});
