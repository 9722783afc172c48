// JSON nested far deeper than anything real (10,000 and 100,000 levels) is refused with
// 400 naming server.json_depth before anything recursive sees it; a body at the limit fires.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';
import { deepJson } from './support/hostile-bodies.js';
import { loggedRequest, runOf } from './support/records.js';

const SECRET = 'deep-json-secret-0123456789';
const DEPTH_MESSAGE = 'The JSON body nests deeper than 64 levels (server.json_depth).';

const files = {
  'site.yaml': `
systems:
  - id: sys-deep
    modules: [{ driver: display }]
triggers:
  - id: t-deep
    actions:
      - call: Display_1.power
        args: { state: true }
      # Reads the body, so the run keeps it as its input (a run keeps only what its actions read).
      - emit: test.body_seen
        data: { body: "{{ body }}" }
instances:
  - { id: deep, trigger: t-deep, system: sys-deep, secret: ${SECRET} }
`,
};

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({ files });
});
afterAll(async () => t.cleanup());

/** Posts `body` labelled `label` (the request log keeps the label in the path). */
function post(label: string, body: string, contentType = 'application/json'): Promise<Response> {
  return fetch(t.url(`/webhook/deep/notify?secret=${SECRET}&case=${label}`), {
    method: 'POST',
    body,
    headers: { 'content-type': contentType },
  });
}

describe('deeply nested JSON', () => {
  it.each([
    ['objects-10k', deepJson(10_000, 'object'), 'application/json'],
    ['arrays-100k', deepJson(100_000), 'application/json'],
    ['vendor-100k', deepJson(100_000), 'application/vnd.x+json'],
    ['charset-10k', deepJson(10_000), 'application/json; charset=utf-8'],
  ])('answers 400 naming server.json_depth for %s and logs why', async (label, body, contentType) => {
    const response = await post(label, body, contentType);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'body_malformed', message: DEPTH_MESSAGE });
    const row = await loggedRequest(t, label);
    expect(row).toMatchObject({ status: 400, outcome: 'body_malformed', reason: DEPTH_MESSAGE, run_id: null });
  });

  it('refuses 65 levels, one past the limit', async () => {
    const response = await post('depth-65', deepJson(65));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { message: string }).message).toBe(DEPTH_MESSAGE);
  });

  it('fires for a body nested exactly 64 levels, and its run succeeds with the body as input', async () => {
    const body = deepJson(64, 'object');
    const response = await post('depth-64', body);
    expect(response.status).toBe(202);
    const { fired, run } = (await response.json()) as { fired: boolean; run: string };
    expect(fired).toBe(true);
    await t.engine.settled();
    const recorded = await runOf(t, run);
    expect(recorded.status).toBe('succeeded');
    expect(JSON.stringify(recorded.input.body)).toBe(body);
    expect((await loggedRequest(t, 'depth-64')).run_id).toBe(run);
  });

  it('does not count brackets inside strings, escaped quotes included', async () => {
    const body = JSON.stringify({ note: '[{'.repeat(5_000), tricky: '\\"' + '['.repeat(5_000) });
    const response = await post('brackets-in-strings', body);
    expect(response.status).toBe(202);
    await t.engine.settled();
    const { run } = (await response.json()) as { run: string };
    expect((await runOf(t, run)).input.body).toEqual(JSON.parse(body));
  });

  it('still answers /healthz and fires after all of that', async () => {
    const health = await fetch(t.url('/healthz'));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });
    expect((await post('after', '{"ok":true}')).status).toBe(202);
  });
});
