// A JSON body that starts with a UTF-8 byte-order mark (as some Windows senders write it)
// is read as the JSON after the mark, whatever the charset parameter says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';
import { loggedRequest, runOf } from './support/records.js';

const SECRET = 'bom-secret-0123456789abc';
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const PAYLOAD = { room: 'east', people: 3, tags: ['ünïcode', '東'] };

const files = {
  'site.yaml': `
systems:
  - id: sys-bom
    modules: [{ driver: display }]
triggers:
  - id: t-bom
    actions:
      - call: Display_1.power
        args: { state: true }
      # Reads the body, so the run keeps it as its input (a run keeps only what its actions read).
      - emit: test.body_seen
        data: { body: "{{ body }}" }
instances:
  - { id: bom, trigger: t-bom, system: sys-bom, secret: ${SECRET} }
`,
};

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({ files });
});
afterAll(async () => t.cleanup());

function post(label: string, body: Buffer, contentType: string): Promise<Response> {
  return fetch(t.url(`/webhook/bom/notify?secret=${SECRET}&case=${label}`), {
    method: 'POST',
    body: new Uint8Array(body),
    headers: { 'content-type': contentType },
  });
}

describe('JSON with a UTF-8 byte-order mark', () => {
  it.each([
    ['plain', 'application/json'],
    ['charset', 'application/json; charset=utf-8'],
    ['charset-upper', 'application/json; charset=UTF-8'],
    ['vendor', 'application/vnd.x+json'],
  ])('fires for %s, keeps the body as it came and gives the run the parsed body', async (label, contentType) => {
    const response = await post(label, Buffer.concat([BOM, Buffer.from(JSON.stringify(PAYLOAD))]), contentType);
    expect(response.status).toBe(202);
    const { run } = (await response.json()) as { run: string };
    await t.engine.settled();
    const recorded = await runOf(t, run);
    expect(recorded.status).toBe('succeeded');
    expect(recorded.input.body).toEqual(PAYLOAD);
    const row = await loggedRequest(t, label);
    expect(row.status).toBe(202);
    // Kept as it arrived, mark included; read back (above, as a resumed run reads it) without it.
    expect(row.body).toBe(`\uFEFF${JSON.stringify(PAYLOAD)}`);
  });

  it('still answers 400 for broken JSON behind a byte-order mark', async () => {
    const response = await post('broken', Buffer.concat([BOM, Buffer.from('{"room":')]), 'application/json');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('body_malformed');
    expect(await loggedRequest(t, 'broken')).toMatchObject({ status: 400, outcome: 'body_malformed' });
  });
});
