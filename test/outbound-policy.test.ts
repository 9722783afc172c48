// Subscription policy end to end: hooks on failure and exhaustion, disabling after
// exhausted deliveries, batching, fire-and-forget, url changes, and custom and driver events.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defineDriver, z } from '../src/drivers/api.js';
import { FakeClock } from './support/fake-clock.js';
import { Receiver } from './support/receiver.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'whsec_' + Buffer.from('outbound-policy-signing-key-0123').toString('base64');
const TRIGGER_SECRET = 'policy-trigger-secret-0123';

const calendar = defineDriver({
  name: 'calendar',
  module: 'Calendar',
  description: 'Emits meeting events for the test.',
  settings: z.object({}),
  state: z.object({}),
  initialState: () => ({}),
  events: {
    'meeting.created': { description: 'A meeting was booked.', data: z.object({ meeting: z.string(), room: z.string() }) },
  },
  methods: {
    book: {
      args: z.object({ meeting: z.string(), valid: z.boolean().default(true) }),
      // The bad data gets past the compiler on purpose: the engine's run-time check is what a JavaScript driver meets.
      run: (ctx, { meeting, valid }) =>
        ctx.emit('meeting.created', valid ? { meeting, room: ctx.systemId } : ({ meeting } as { meeting: string; room: string })),
    },
  },
});

let t: TestEngine | undefined;
const receivers: Receiver[] = [];
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
  for (const r of receivers.splice(0)) await r.close();
});

async function receiver(): Promise<Receiver> {
  const r = await new Receiver().start();
  receivers.push(r);
  return r;
}

function files(subscriptions: string, trigger = ''): Record<string, string> {
  return {
    'site.yaml': `
outbound:
  allow: [127.0.0.1]
systems:
  - id: sys-room
    modules: [{ driver: display }, { driver: calendar }]
triggers:
  - id: wake
    actions:
      - call: Display_1.power
        args: { state: true }
${trigger}
instances:
  - { id: trig-room, trigger: wake, system: sys-room, secret: ${TRIGGER_SECRET} }
subscriptions:
${subscriptions}
`,
  };
}

async function fire(engine: TestEngine, body = '{}'): Promise<void> {
  const response = await fetch(engine.url(`/webhook/trig-room/notify?secret=${TRIGGER_SECRET}`), {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  expect(response.status).toBe(202);
  await engine.engine.executor.settled();
}

const worker = (engine: TestEngine) => engine.engine.outbound.worker;

describe('subscription hooks', () => {
  it('runs on_failure for each answer of 300 or more and on_exhausted once, when the last attempt fails', async () => {
    const hooks = await receiver();
    const failing = await receiver();
    failing.fallback = { status: 503 };
    const clock = new FakeClock(Date.now());
    t = await startTestEngine({
      clock,
      extraDrivers: [calendar],
      files: files(`
  - id: sub-flaky
    url: "${failing.url()}"
    system: sys-room
    events: [trigger.fired]
    secret: "${SECRET}"
    retry: [0, 1m]
    on_failure:
      - emit: ops.delivery_failed
        data: { subscription: "{{ body.subscription }}", status: "{{ body.status }}", attempt: "{{ body.attempt }}" }
    on_exhausted:
      - call: Display_1.mute
        args: { state: true }
      - emit: ops.delivery_exhausted
        data: { error: "{{ body.error }}" }
  - { id: sub-ops, url: "${hooks.url()}", events: ["ops.*"], secret: "${SECRET}" }
`),
    });
    await fire(t);
    await failing.waitFor(1);
    await worker(t).idle();
    await hooks.waitFor(1);
    expect(t.engine.modules.find('sys-room', 'Display_1')!.currentState.mute).toBe(false);
    clock.advance(60_000);
    await failing.waitFor(2);
    await worker(t).idle();
    await hooks.waitFor(3);
    clock.advance(3_600_000);
    await worker(t).idle();
    expect(failing.requests).toHaveLength(2);
    const events = hooks.requests.map((r) => JSON.parse(r.body) as { type: string; data: Record<string, unknown> });
    expect(events.map((e) => e.type).sort()).toEqual(['ops.delivery_exhausted', 'ops.delivery_failed', 'ops.delivery_failed']);
    expect(
      events
        .filter((e) => e.type === 'ops.delivery_failed')
        .map((e) => e.data)
        .sort((a, b) => Number(a.attempt) - Number(b.attempt)),
    ).toEqual([
      { subscription: 'sub-flaky', status: 503, attempt: 1 },
      { subscription: 'sub-flaky', status: 503, attempt: 2 },
    ]);
    expect(events.find((e) => e.type === 'ops.delivery_exhausted')!.data).toEqual({ error: 'answered 503' });
    expect(t.engine.modules.find('sys-room', 'Display_1')!.currentState.mute).toBe(true);
  });

  it('disables a subscription after disable_after exhausted deliveries in a row, and a success resets the count', async () => {
    const target = await receiver();
    const ops = await receiver();
    target.script.push({ status: 500 }, { status: 200 }, { status: 500 }, { status: 500 });
    t = await startTestEngine({
      extraDrivers: [calendar],
      files: files(`
  - { id: sub-target, url: "${target.url()}", events: [trigger.fired], secret: "${SECRET}", retry: [0], disable_after: 2 }
  - { id: sub-ops, url: "${ops.url()}", events: [subscription.disabled], secret: "${SECRET}" }
`),
    });
    for (let i = 0; i < 3; i++) {
      await fire(t);
      await target.waitFor(i + 1);
      await worker(t).idle();
    }
    // exhausted, delivered (reset), exhausted: one in a row, still enabled
    expect(t.engine.outbound.index.isDisabled('sub-target')).toBe(false);
    await fire(t);
    await target.waitFor(4);
    await worker(t).idle();
    expect(t.engine.outbound.index.isDisabled('sub-target')).toBe(true);
    const [disabled] = await ops.waitFor(1);
    expect(JSON.parse(disabled!.body)).toMatchObject({
      type: 'subscription.disabled',
      data: { subscription: 'sub-target', url: target.url(), reason: '2 deliveries in a row were exhausted' },
    });
    // A disabled subscription gets no new deliveries.
    await fire(t);
    await worker(t).idle();
    expect(target.requests).toHaveLength(4);
  });
});

describe('delivery modes', () => {
  it('sends up to max_events events in one POST as a JSON array, and a partial batch after max_wait', async () => {
    const batches = await receiver();
    const clock = new FakeClock(Date.now());
    t = await startTestEngine({
      clock,
      extraDrivers: [calendar],
      files: files(
        `  - { id: sub-batch, url: "${batches.url()}", events: [trigger.fired], secret: "${SECRET}", batch: { max_events: 3, max_wait: 5s } }`,
      ),
    });
    for (let i = 0; i < 4; i++) await fire(t, JSON.stringify({ i }));
    const [full] = await batches.waitFor(1);
    const body = JSON.parse(full!.body) as { type: string; attempt: number }[];
    expect(Array.isArray(body)).toBe(true);
    expect(body).toHaveLength(3);
    expect(body.every((e) => e.type === 'trigger.fired' && e.attempt === 1)).toBe(true);
    await worker(t).idle();
    expect(batches.requests).toHaveLength(1);
    clock.advance(5_000);
    const [, partial] = await batches.waitFor(2);
    expect(JSON.parse(partial!.body)).toHaveLength(1);
    await worker(t).idle();
    const rows = await t.engine.store.outbox.list();
    expect(rows.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
  });

  it('makes one attempt only in fire-and-forget mode', async () => {
    const target = await receiver();
    target.fallback = { status: 500 };
    t = await startTestEngine({
      extraDrivers: [calendar],
      files: files(
        `  - { id: sub-ff, url: "${target.url()}", events: [trigger.fired], secret: "${SECRET}", mode: fire-and-forget }`,
      ),
    });
    await fire(t);
    await target.waitFor(1);
    await worker(t).idle();
    const [delivery] = await t.engine.store.outbox.list();
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1, last_status: 500 });
  });

  it('keeps the url a queued delivery was created with when the config changes, and uses the new url for new events', async () => {
    const before = await receiver();
    const after = await receiver();
    before.fallback = { status: 500 };
    t = await startTestEngine({
      extraDrivers: [calendar],
      files: files(`  - { id: sub, url: "${before.url()}", events: [trigger.fired], secret: "${SECRET}", retry: [0, 0s] }`),
    });
    await fire(t);
    await worker(t).idle();
    await t.stop();
    before.fallback = { status: 200 };
    writeFileSync(
      join(t.configDir, 'site.yaml'),
      files(`  - { id: sub, url: "${after.url()}", events: [trigger.fired], secret: "${SECRET}", retry: [0, 0s] }`)['site.yaml']!,
    );
    t = await t.restart();
    await fire(t);
    await before.waitFor(2);
    await after.waitFor(1);
    await worker(t).idle();
    expect(JSON.parse(before.requests[1]!.body).id).toBe(JSON.parse(before.requests[0]!.body).id);
    expect(JSON.parse(after.requests[0]!.body).id).not.toBe(JSON.parse(before.requests[0]!.body).id);
  });
});

describe('custom and driver events', () => {
  it('emits an action`s custom event with templated data, and a driver`s declared event', async () => {
    const sink = await receiver();
    t = await startTestEngine({
      extraDrivers: [calendar],
      files: files(
        `  - { id: sub, url: "${sink.url()}", events: [room.ready, "meeting.*"], secret: "${SECRET}" }`,
        `      - emit: room.ready
        data: { by: "{{ body.who }}", count: "{{ body.count }}" }
      - call: Calendar_1.book
        args: { meeting: "{{ body.meeting }}" }`,
      ),
    });
    await fire(t, JSON.stringify({ who: 'reception', count: 3, meeting: 'MTG-7' }));
    await sink.waitFor(2);
    const events = sink.requests.map((r) => JSON.parse(r.body) as { type: string; data: unknown });
    expect(events.find((e) => e.type === 'room.ready')!.data).toEqual({ by: 'reception', count: 3 });
    expect(events.find((e) => e.type === 'meeting.created')!.data).toEqual({ meeting: 'MTG-7', room: 'sys-room' });
  });

  it('refuses a driver event whose data does not match its declared schema, failing the action', async () => {
    const sink = await receiver();
    t = await startTestEngine({
      extraDrivers: [calendar],
      files: files(
        `  - { id: sub, url: "${sink.url()}", events: ["meeting.*"], secret: "${SECRET}" }`,
        `      - call: Calendar_1.book\n        args: { meeting: x, valid: false }`,
      ),
    });
    await fire(t);
    const runs = await t.engine.store.database.db.selectFrom('runs').select(['id', 'status', 'error']).execute();
    expect(runs[0]).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('emitted "meeting.created" with bad data: room'),
    });
    await worker(t).idle();
    expect(sink.requests).toHaveLength(0);
  });
});

describe('re-enabling', () => {
  it('sends to a subscription again once it is enabled in the store, without a restart', async () => {
    const target = await receiver();
    target.script.push({ status: 410 });
    const clock = new FakeClock(Date.now());
    t = await startTestEngine({
      clock,
      extraDrivers: [calendar],
      files: files(`  - { id: sub, url: "${target.url()}", events: [trigger.fired], secret: "${SECRET}" }`),
    });
    await fire(t);
    await target.waitFor(1);
    await worker(t).idle();
    expect(t.engine.outbound.index.isDisabled('sub')).toBe(true);
    // What `switchboard subscriptions --enable sub` does, from another process.
    await t.engine.store.outbox.setDisabled('sub', null, null);
    clock.advance(1_000);
    await worker(t).idle();
    await new Promise((r) => setImmediate(r));
    expect(t.engine.outbound.index.isDisabled('sub')).toBe(false);
    await fire(t);
    await target.waitFor(2);
  });
});
