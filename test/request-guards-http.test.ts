// Issue 14's request guards through a real listening server, on SQLite and PostgreSQL:
// idempotency keys (three sends of one webhook-id, fifty at once, a restart inside the
// window, a request without its key), per-key debounce with two keys interleaved, rate
// limits with their Retry-After (injected clock), and answers that wait for the run
// (`respond: wait`): a fast run, a `respond` action, a failing run, a run past the timeout.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { BACKENDS } from './support/postgres.js';
import { probeDriver } from './support/test-drivers.js';
import { startTestEngine, type Backend, type TestEngine } from './support/test-engine.js';

let t: TestEngine | undefined;
afterEach(async () => t?.cleanup());

const SECRET = 'room-secret-0123456789';

function config(
  trigger: string,
  actions = '      - call: Probe_1.record\n        args: { value: "{{ body.n }}" }',
): Record<string, string> {
  return {
    'site.yaml': `
systems:
  - id: sys-room
    modules:
      - driver: probe
triggers:
  - id: wake
${trigger}
    actions:
${actions}
instances:
  - { id: trig-room, trigger: wake, system: sys-room, secret: ${SECRET} }
`,
  };
}

function start(files: Record<string, string>, backend: Backend, clock?: FakeClock): Promise<TestEngine> {
  return startTestEngine({ files, backend, clock, extraDrivers: [probeDriver] });
}

async function post(engine: TestEngine, headers: Record<string, string> = {}, body: unknown = { n: 1 }) {
  const response = await fetch(engine.url(`/webhook/trig-room/notify?secret=${SECRET}`), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text.startsWith('{') ? JSON.parse(text) : text };
}

async function runCount(engine: TestEngine): Promise<number> {
  const rows = await engine.engine.store.database.db.selectFrom('runs').select('id').execute();
  return rows.length;
}

describe.each(BACKENDS)('idempotency keys through a real server (%s)', (backend) => {
  it('the same webhook-id three times: one run, then two duplicates naming it, logged as such', async () => {
    t = await start(config('    idempotency: standard-webhooks'), backend);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await post(t, { 'webhook-id': 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W' }));
    const first = answers[0]!.body as { fired: boolean; run: string };
    expect(answers[0]).toMatchObject({ status: 202, body: { fired: true } });
    for (const repeat of answers.slice(1))
      expect(repeat).toMatchObject({ status: 202, body: { fired: false, reason: 'duplicate', run: first.run } });
    await t.engine.settled();
    expect(await runCount(t)).toBe(1);
    const log = await t.engine.store.requests.list({ instanceId: 'trig-room', limit: 10 });
    expect(log.map((r) => `${r.outcome} ${r.run_id}`).sort()).toEqual([
      `duplicate ${first.run}`,
      `duplicate ${first.run}`,
      `fired ${first.run}`,
    ]);
    // Another id fires.
    expect(await post(t, { 'webhook-id': 'msg_other' })).toMatchObject({ body: { fired: true } });
  });

  it('fifty concurrent requests with one key fire once', async () => {
    t = await start(config('    idempotency: { key: "{{ headers.x-request-id }}", window: 1h }'), backend);
    const engine = t;
    const answers = await Promise.all(Array.from({ length: 50 }, () => post(engine, { 'x-request-id': 'same' })));
    const fired = answers.filter((a) => (a.body as { fired: boolean }).fired);
    expect(fired).toHaveLength(1);
    const run = (fired[0]!.body as { run: string }).run;
    for (const a of answers.filter((x) => !(x.body as { fired: boolean }).fired))
      expect(a.body).toEqual({ fired: false, reason: 'duplicate', run });
    await engine.engine.settled();
    expect(await runCount(engine)).toBe(1);
  });

  it('a restart inside the window still answers duplicate; after the window the key fires again', async () => {
    const clock = new FakeClock();
    t = await start(config('    idempotency: { preset: github, window: 10m }'), backend, clock);
    const first = await post(t, { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' });
    t = await t.restart();
    clock.advance(599_999);
    expect(await post(t, { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' })).toMatchObject({
      body: { fired: false, reason: 'duplicate', run: (first.body as { run: string }).run },
    });
    clock.advance(1);
    expect(await post(t, { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' })).toMatchObject({
      body: { fired: true },
    });
  });

  it('a request without its key is handled as a new one, with a warning in the log', async () => {
    t = await start(config('    idempotency: stripe'), backend);
    expect(await post(t, {}, { n: 1 })).toMatchObject({ status: 202, body: { fired: true } });
    expect(await post(t, {}, { n: 1 })).toMatchObject({ status: 202, body: { fired: true } });
    const warnings = t.logs.lines.filter((l) => l.includes('request without its idempotency key: handled as a new one'));
    expect(warnings).toHaveLength(2);
    expect(await post(t, {}, { id: 'evt_1', n: 2 })).toMatchObject({ body: { fired: true } });
    expect(await post(t, {}, { id: 'evt_1', n: 2 })).toMatchObject({ body: { reason: 'duplicate' } });
  });
});

describe.each(BACKENDS)('per-key debounce through a real server (%s)', (backend) => {
  it('keeps one window per camera: interleaved motion from two cameras fires each once per window', async () => {
    const clock = new FakeClock();
    t = await start(config('    debounce: 30s\n    debounce_key: "{{ body.camera }}"'), backend, clock);
    const motion = async (camera: string) => (await post(t!, {}, { camera })).body as { fired: boolean; reason?: string };
    const outcomes: (string | boolean)[] = [];
    for (const camera of ['lobby', 'garage', 'lobby', 'garage']) {
      const answer = await motion(camera);
      outcomes.push(answer.fired || answer.reason!);
      clock.advance(1_000);
    }
    expect(outcomes).toEqual([true, true, 'debounced', 'debounced']);
    clock.advance(31_000);
    expect((await motion('lobby')).fired).toBe(true);
    expect((await motion('dock')).fired).toBe(true);
  });
});

describe.each(BACKENDS)('rate limits through a real server (%s)', (backend) => {
  it('answers 429 with Retry-After past the limit, before the body is read, and admits again when due', async () => {
    const clock = new FakeClock();
    t = await start(config('    rate_limit: { requests: 2, per: 1m }'), backend, clock);
    expect((await post(t)).status).toBe(202);
    clock.advance(10_000);
    expect((await post(t)).status).toBe(202);
    const limited = await post(t);
    expect(limited.status).toBe(429);
    // GCRA: 2 per minute is a burst of 2, then one every 30 s from the first: due at 30 s, now 10 s.
    expect(limited.headers.get('retry-after')).toBe('20');
    expect(limited.body).toEqual({
      error: 'rate_limited',
      message: 'More than 2 requests per 1m to this trigger URL; retry after 20 s.',
    });
    // Decided before the body: an oversized body still gets the 429, not a 413.
    expect((await post(t, {}, { n: 'x'.repeat(2_000_000) })).status).toBe(429);
    clock.advance(20_000);
    expect((await post(t)).status).toBe(202);
    const log = await t.engine.store.requests.list({ instanceId: 'trig-room', limit: 10 });
    expect(log.filter((r) => r.outcome === 'rate_limited').map((r) => r.status)).toEqual([429, 429]);
  });

  it('keeps one limit per rate_key value', async () => {
    t = await start(config('    rate_limit: { requests: 1, per: 1h }\n    rate_key: "{{ headers.x-tenant }}"'), backend);
    expect((await post(t, { 'x-tenant': 'a' })).status).toBe(202);
    expect((await post(t, { 'x-tenant': 'b' })).status).toBe(202);
    expect((await post(t, { 'x-tenant': 'a' })).status).toBe(429);
  });
});

describe.each(BACKENDS)('respond: wait through a real server (%s)', (backend) => {
  it('answers a fast run with its status and each action’s result', async () => {
    t = await start(
      config('    respond: wait', '      - call: Probe_1.double\n        args: { n: "{{ body.n }}" }\n      - emit: room.woken'),
      backend,
    );
    const answer = await post(t, {}, { n: 21 });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ run: expect.stringMatching(/^run_/), status: 'succeeded', outputs: [{ doubled: 42 }, null] });
    // The row committed with the run as 202 is brought up to the answer right after it.
    const engine = t;
    await expect
      .poll(async () => (await engine.engine.store.requests.list({ instanceId: 'trig-room', limit: 1 }))[0])
      .toMatchObject({ status: 200, outcome: 'fired' });
  });

  it('a respond action sets the status, headers and body from templates, and the run goes on', async () => {
    t = await start(
      config(
        '    respond: wait',
        `      - respond:
          status: 201
          headers: { x-room: "{{ body.room }}" }
          body: { ok: true, room: "{{ body.room }}" }
      - call: Probe_1.record
        args: { value: "{{ body.room }}" }`,
      ),
      backend,
    );
    const answer = await post(t, {}, { room: 'L2-14' });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('x-room')).toBe('L2-14');
    expect(answer.body).toEqual({ ok: true, room: 'L2-14' });
    await t.engine.settled();
    const module = t.engine.modules.find('sys-room', 'Probe_1')!;
    expect(module.currentState).toMatchObject({ calls: 1, last: 'L2-14' });
  });

  it('a failing run answers 500 naming the action, not why it failed', async () => {
    t = await start(config('    respond: wait', '      - call: Probe_1.fail'), backend);
    const answer = await post(t);
    expect(answer.status).toBe(500);
    expect(answer.body).toMatchObject({
      error: 'run_failed',
      message: 'The run failed at action 1; its record says why.',
      status: 'failed',
      outputs: [null],
    });
    expect(JSON.stringify(answer.body)).not.toContain('on purpose');
  });

  it('a run past respond_timeout is answered 202 with its run, and goes on', async () => {
    const clock = new FakeClock();
    t = await start(
      config(
        '    respond: wait\n    respond_timeout: 2s',
        '      - delay: 1m\n      - call: Probe_1.record\n        args: { value: late }',
      ),
      backend,
      clock,
    );
    const engine = t;
    const answer = post(engine);
    await expect.poll(() => runCount(engine)).toBe(1);
    clock.advance(2_000);
    const answered = await answer;
    expect(answered).toMatchObject({ status: 202, body: { fired: true, run: expect.stringMatching(/^run_/) } });
    clock.advance(60_000);
    await engine.engine.settled();
    expect(engine.engine.modules.find('sys-room', 'Probe_1')!.currentState).toMatchObject({ last: 'late' });
  });
});
