// Outbound webhooks end to end: a fired trigger becomes a signed delivery to a real
// local receiver, and the receiver's answers drive the policy (the status table).
import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { FakeClock } from './support/fake-clock.js';
import { Receiver } from './support/receiver.js';
import { probeDriver } from './support/test-drivers.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'whsec_' + Buffer.from('outbound-test-signing-key-0123456789').toString('base64');
const OLD_SECRET = 'whsec_' + Buffer.from('the-previous-signing-key-9876543210').toString('base64');
const TRIGGER_SECRET = 'outbound-trigger-secret-01';

let t: TestEngine | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  await t?.cleanup();
  await receiver?.close();
  t = undefined;
  receiver = undefined;
});

function files(subscription: string, outbound = 'outbound:\n  allow: [127.0.0.1]\n'): Record<string, string> {
  return {
    'site.yaml': `
${outbound}
zones:
  - id: org
  - id: building
    parent: org
  - id: elsewhere
systems:
  - id: sys-room
    zones: [building]
    modules: [{ driver: display }]
  - id: sys-far
    zones: [elsewhere]
    modules: [{ driver: display }]
triggers:
  - id: wake
    actions:
      - call: Display_1.power
        args: { state: true }
instances:
  - { id: trig-room, trigger: wake, system: sys-room, secret: ${TRIGGER_SECRET} }
  - { id: trig-far, trigger: wake, system: sys-far, secret: ${TRIGGER_SECRET} }
subscriptions:
${subscription}
`,
  };
}

async function fire(engine: TestEngine, instance = 'trig-room'): Promise<string> {
  const response = await fetch(engine.url(`/webhook/${instance}/notify?secret=${TRIGGER_SECRET}`), {
    method: 'POST',
    body: '{"motion":true}',
    headers: { 'content-type': 'application/json' },
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { run: string }).run;
}

async function deliveries(engine: TestEngine) {
  const rows = await engine.engine.store.outbox.list({ limit: 100 });
  return Promise.all(rows.map(async (d) => ({ ...d, tries: await engine.engine.store.outbox.attempts(d.id) })));
}

describe('outbound delivery', () => {
  it('delivers trigger.fired as a Standard Webhooks signed envelope that the reference verifier accepts', async () => {
    receiver = await new Receiver().start();
    t = await startTestEngine({
      files: files(`  - { id: sub-ops, url: "${receiver.url()}", zone: org, events: [trigger.fired], secret: "${SECRET}" }`),
    });
    const run = await fire(t);
    const [request] = await receiver.waitFor(1);
    const verified = new Webhook(SECRET).verify(request!.body, request!.headers as Record<string, string>) as Record<
      string,
      unknown
    >;
    expect(verified).toMatchObject({
      type: 'trigger.fired',
      attempt: 1,
      data: { instance: 'trig-room', trigger: 'wake', system: 'sys-room', run, request: { method: 'POST', body_size: 15 } },
    });
    expect(Object.keys(verified).sort()).toEqual(['attempt', 'created', 'data', 'id', 'type']);
    expect(request!.headers['webhook-id']).toBe(verified.id);
    expect(String(verified.id)).toMatch(/^evt_/);
    expect(JSON.stringify(verified)).not.toContain(TRIGGER_SECRET);
    await t.engine.outbound.worker.idle();
    const [delivery] = await deliveries(t);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1, last_status: 200, subscription_id: 'sub-ops' });
    expect(delivery!.tries).toEqual([expect.objectContaining({ attempt: 1, status_code: 200, response: 'ok' })]);
  });

  it('signs with every secret during a rotation, each verifying alone', async () => {
    receiver = await new Receiver().start();
    t = await startTestEngine({
      files: files(
        `  - { id: sub-rot, url: "${receiver.url()}", events: [trigger.fired], secret: ["${SECRET}", "${OLD_SECRET}"] }`,
      ),
    });
    await fire(t);
    const [request] = await receiver.waitFor(1);
    expect(String(request!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    for (const secret of [SECRET, OLD_SECRET])
      expect(() => new Webhook(secret).verify(request!.body, request!.headers as Record<string, string>)).not.toThrow();
    expect(() =>
      new Webhook('whsec_' + Buffer.from('a-key-nobody-has-000000000000').toString('base64')).verify(
        request!.body,
        request!.headers as Record<string, string>,
      ),
    ).toThrow();
  });

  it('fans a zone subscription out to the systems below it only', async () => {
    receiver = await new Receiver().start();
    t = await startTestEngine({
      files: files(
        [
          `  - { id: sub-building, url: "${receiver.url('/building')}", zone: building, events: [trigger.fired], secret: "${SECRET}" }`,
          `  - { id: sub-org, url: "${receiver.url('/org')}", zone: org, events: [trigger.fired], secret: "${SECRET}" }`,
          `  - { id: sub-far, url: "${receiver.url('/far')}", system: sys-far, events: [trigger.fired], secret: "${SECRET}" }`,
          `  - { id: sub-all, url: "${receiver.url('/all')}", events: ["trigger.*"], secret: "${SECRET}" }`,
        ].join('\n'),
      ),
    });
    await fire(t, 'trig-room');
    await fire(t, 'trig-far');
    await receiver.waitFor(5);
    await t.engine.outbound.worker.idle();
    const paths = receiver.requests.map((r) => `${r.path} ${JSON.parse(r.body).data.system}`).sort();
    expect(paths).toEqual(['/all sys-far', '/all sys-room', '/building sys-room', '/far sys-far', '/org sys-room']);
  });

  it('emits module.state_changed with the key, old and new value', async () => {
    receiver = await new Receiver().start();
    t = await startTestEngine({
      files: files(
        `  - { id: sub-state, url: "${receiver.url()}", system: sys-room, events: ["module.*"], secret: "${SECRET}" }`,
      ),
    });
    await fire(t);
    const [request] = await receiver.waitFor(1);
    expect(JSON.parse(request!.body)).toMatchObject({
      type: 'module.state_changed',
      data: { system: 'sys-room', module: 'Display_1', key: 'power', old: false, new: true },
    });
  });

  it('refuses to deliver to a loopback address that is not allow-listed, and says why', async () => {
    receiver = await new Receiver().start();
    t = await startTestEngine({
      files: files(
        `  - { id: sub-blocked, url: "${receiver.url()}", events: [trigger.fired], secret: "${SECRET}", retry: [0] }`,
        '',
      ),
    });
    await fire(t);
    await t.engine.outbound.worker.idle();
    expect(receiver.requests).toHaveLength(0);
    const [delivery] = await deliveries(t);
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_status: null,
      last_error: expect.stringMatching(/^blocked: 127\.0\.0\.1 is a loopback address/),
    });
  });
});

describe('the delivery status table', () => {
  async function deliverOnce(answer: Receiver['script'][number], subscriptionExtra = '') {
    receiver = await new Receiver().start();
    receiver.fallback = answer;
    t = await startTestEngine({
      files: files(
        `  - { id: sub, url: "${receiver.url()}", events: [trigger.fired], secret: "${SECRET}", retry: [0, 1m], timeout: 300ms${subscriptionExtra} }`,
      ),
    });
    await fire(t);
    await t.engine.outbound.worker.idle();
    return (await deliveries(t))[0]!;
  }

  it.each([
    [200, 'succeeded'],
    [204, 'succeeded'],
  ])('counts %i as delivered', async (status, outcome) => {
    expect(await deliverOnce({ status })).toMatchObject({ status: outcome, last_status: status, attempts: 1 });
  });

  it.each([301, 302])('does not follow a %i redirect and retries later', async (status) => {
    const delivery = await deliverOnce({ status, headers: { location: 'http://127.0.0.1:9/elsewhere' } });
    expect(delivery).toMatchObject({ status: 'pending', last_status: status, attempts: 1, last_error: `answered ${status}` });
    expect(receiver!.requests).toHaveLength(1);
  });

  it('counts only 200 when the subscription says success: 200', async () => {
    expect(await deliverOnce({ status: 204 }, ', success: "200"')).toMatchObject({ status: 'pending', last_status: 204 });
  });

  it('schedules a retry after a 500', async () => {
    const delivery = await deliverOnce({ status: 500, body: 'database down' });
    expect(delivery).toMatchObject({ status: 'pending', last_status: 500, attempts: 1 });
    expect(delivery.tries[0]).toMatchObject({ status_code: 500, response: 'database down' });
    expect(Number(delivery.next_attempt_at) - Number(delivery.tries[0]!.started_at)).toBeGreaterThanOrEqual(60_000);
  });

  it('honours Retry-After on 429 when it is longer than the schedule', async () => {
    const delivery = await deliverOnce({ status: 429, headers: { 'retry-after': '7200' } });
    expect(delivery).toMatchObject({ status: 'pending', last_status: 429 });
    expect(Number(delivery.next_attempt_at) - Number(delivery.tries[0]!.started_at)).toBeGreaterThanOrEqual(7_200_000);
  });

  it('disables the subscription on 410 and emits subscription.disabled', async () => {
    const delivery = await deliverOnce({ status: 410 });
    expect(delivery).toMatchObject({ status: 'failed', last_status: 410 });
    expect(t!.engine.outbound.index.isDisabled('sub')).toBe(true);
    const state = await t!.engine.store.database.db
      .selectFrom('subscription_state')
      .selectAll()
      .where('subscription_id', '=', 'sub')
      .executeTakeFirst();
    expect(state).toMatchObject({ disabled_reason: expect.stringContaining('410') });
  });

  it('cuts off a receiver that never answers at the timeout', async () => {
    const started = Date.now();
    const delivery = await deliverOnce('hang');
    expect(delivery).toMatchObject({ status: 'pending', last_status: null, last_error: 'timed out after 300 ms' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('records a refused connection', async () => {
    receiver = await new Receiver().start();
    const url = receiver.url();
    await receiver.close();
    t = await startTestEngine({
      files: files(`  - { id: sub, url: "${url}", events: [trigger.fired], secret: "${SECRET}", retry: [0, 1m] }`),
    });
    await fire(t);
    await t.engine.outbound.worker.idle();
    expect((await deliveries(t))[0]).toMatchObject({ status: 'pending', last_error: 'connection refused' });
    receiver = undefined;
  });
});

describe('retries under an injected clock', () => {
  it('retries on the schedule with the same event id and a fresh signature, then stops at success', async () => {
    receiver = await new Receiver().start();
    receiver.script.push({ status: 500 }, { status: 503 }, { status: 200 });
    const clock = new FakeClock(Date.now());
    t = await startTestEngine({
      clock,
      files: files(
        `  - { id: sub, url: "${receiver.url()}", events: [trigger.fired], secret: "${SECRET}", retry: [0, 1m, 10m, 1h] }`,
      ),
    });
    await fire(t);
    await receiver.waitFor(1);
    await t.engine.outbound.worker.idle();
    clock.advance(59_999);
    await t.engine.outbound.worker.idle();
    expect(receiver.requests).toHaveLength(1);
    clock.advance(1);
    await receiver.waitFor(2);
    await t.engine.outbound.worker.idle();
    clock.advance(599_999);
    await t.engine.outbound.worker.idle();
    expect(receiver.requests).toHaveLength(2);
    clock.advance(1);
    await receiver.waitFor(3);
    await t.engine.outbound.worker.idle();
    clock.advance(3_600_000);
    await t.engine.outbound.worker.idle();
    expect(receiver.requests).toHaveLength(3);

    const ids = receiver.requests.map((r) => r.headers['webhook-id']);
    expect(new Set(ids).size).toBe(1);
    expect(receiver.requests.map((r) => JSON.parse(r.body).attempt)).toEqual([1, 2, 3]);
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-signature'])).size).toBe(3);
    expect(receiver.requests.map((r) => Number(r.headers['webhook-timestamp']))).toEqual(
      [0, 60, 660].map((s) => Math.floor(Number(receiver!.requests[0]!.headers['webhook-timestamp']) + s)),
    );
    const [delivery] = await deliveries(t);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 3 });
    expect(delivery!.tries.map((a) => a.status_code)).toEqual([500, 503, 200]);
  });
});

describe('the worker', () => {
  it('keeps at most outbound.concurrency attempts in flight', async () => {
    receiver = await new Receiver().start();
    receiver.fallback = 'hang';
    t = await startTestEngine({
      files: files(
        `  - { id: sub, url: "${receiver.url()}", events: [trigger.fired], secret: "${SECRET}", timeout: 1500ms, retry: [0, 1h] }`,
        'outbound:\n  allow: [127.0.0.1]\n  concurrency: 2\n',
      ),
    });
    for (let i = 0; i < 5; i++) await fire(t);
    await receiver.waitFor(2);
    await new Promise((r) => setTimeout(r, 500)); // room for a third attempt to start, were it allowed
    expect(receiver.requests).toHaveLength(2);
    // As the hanging attempts time out, the next ones start, two at a time.
    await receiver.waitFor(4);
    expect(receiver.requests.length).toBeLessThanOrEqual(4);
    receiver.fallback = { status: 200 };
    await t.engine.outbound.worker.idle();
    expect((await deliveries(t)).filter((d) => d.status === 'pending' && d.attempts === 1).length).toBeGreaterThanOrEqual(4);
  });
});

describe('reading answers', () => {
  it('keeps only the first response_limit bytes of an answer and stops reading a huge one', async () => {
    receiver = await new Receiver().start();
    receiver.fallback = { status: 200, body: 'x'.repeat(5 * 1024 * 1024) };
    t = await startTestEngine({
      files: files(
        `  - { id: sub, url: "${receiver.url()}", events: [trigger.fired], secret: "${SECRET}" }`,
        'outbound:\n  allow: [127.0.0.1]\n  response_limit: 100\n',
      ),
    });
    await fire(t);
    await t.engine.outbound.worker.idle();
    const [delivery] = await deliveries(t);
    expect(delivery).toMatchObject({ status: 'succeeded', last_status: 200 });
    expect(delivery!.tries[0]!.response).toBe('x'.repeat(100));
  });
});

describe('module.state_changed data', () => {
  it('describes a state value over 16 KiB instead of copying it, and copies smaller ones', async () => {
    receiver = await new Receiver().start();
    t = await startTestEngine({
      extraDrivers: [probeDriver],
      files: {
        'site.yaml': `
outbound:
  allow: [127.0.0.1]
systems:
  - { id: sys-p, modules: [{ driver: probe }] }
subscriptions:
  - { id: sub, url: "${receiver.url()}", events: [module.state_changed], secret: "${SECRET}" }
`,
      },
    });
    const probe = t.engine.modules.find('sys-p', 'Probe_1')!;
    await probe.call('record', {
      value: {
        clients: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`00:11:22:33:${i}`, { rssi: -40 - (i % 50) }])),
      },
    });
    await receiver.waitFor(2);
    const data = receiver.requests.map((r) => (JSON.parse(r.body) as { data: { key: string; old: unknown; new: unknown } }).data);
    expect(data.find((d) => d.key === 'calls')).toMatchObject({ old: 0, new: 1 });
    expect(data.find((d) => d.key === 'last')!.new).toEqual({ omitted: 'larger than 16 KiB', bytes: expect.any(Number) });
    expect((data.find((d) => d.key === 'last')!.new as { bytes: number }).bytes).toBeGreaterThan(16 * 1024);
  });
});
