// Reload without restart, through a running engine: what survives a swap (debounce windows,
// edge state, running modules), what a refused config leaves (the old generation serving,
// every problem reported), a request answered by exactly one generation, and a schedule
// that falls due during the swap firing once.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { defineDriver } from '../src/drivers/api.js';
import { FakeClock } from './support/fake-clock.js';
import { open, targetOf } from './support/raw-http.js';
import { Receiver } from './support/receiver.js';
import { probeDriver } from './support/test-drivers.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const SECRET = 'reload-secret-0123456789';

/** Replaces the config directory's one file, as an operator's deploy would. */
function rewrite(engine: TestEngine, yaml: string): void {
  writeFileSync(join(engine.configDir, 'site.yaml'), yaml);
}

const notify = (engine: TestEngine, instance: string, secret = SECRET, body = '{}') =>
  fetch(engine.url(`/webhook/${instance}/notify?secret=${secret}`), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });

describe('reload: what an unchanged instance keeps', () => {
  const site = (extra = '', debounce = '60s') => `
systems:
  - { id: sys-a, modules: [{ driver: display }, { driver: probe }] }
triggers:
  - id: pinged
    debounce: ${debounce}
    actions: [{ call: Probe_1.record, args: { value: ping } }]
  - id: loud
    webhook: false
    conditions:
      - compare: { left: Display_1.volume, op: greater_than, right: 50 }
    actions: [{ call: Probe_1.record, args: { value: loud } }]
instances:
  - { id: door, trigger: pinged, system: sys-a, secret: ${SECRET} }
  - { id: alarm, trigger: loud, system: sys-a }
${extra}`;

  it('keeps a debounce window and an edge state across a reload that changes other instances', async () => {
    const clock = new FakeClock();
    t = await startTestEngine({ clock, extraDrivers: [probeDriver], files: { 'site.yaml': site() } });
    expect(await (await notify(t, 'door')).json()).toMatchObject({ fired: true });
    const display = t.engine.modules.find('sys-a', 'Display_1')!;
    await display.call('volume', { level: 60 }); // the edge: alarm fires
    await t.engine.settled();
    const runsOf = async (instance: string) => (await t!.engine.store.runs.stats(instance))?.trigger_count ?? 0;
    expect(await runsOf('alarm')).toBe(1);

    rewrite(t, site('  - { id: window, trigger: pinged, system: sys-a }'));
    const outcome = await t.engine.reload();
    expect(outcome).toMatchObject({ result: 'applied', generation: 2 });
    expect(outcome.changes!.instances).toEqual({ added: ['window'], changed: [], removed: [] });

    clock.advance(30_000); // still inside door's 60 s window, which the reload kept
    expect(await (await notify(t, 'door')).json()).toEqual({ fired: false, reason: 'debounced' });
    await display.call('volume', { level: 70 }); // still holding: no new edge after the reload
    await t.engine.settled();
    expect(await runsOf('alarm')).toBe(1);
    await display.call('volume', { level: 10 });
    await display.call('volume', { level: 80 }); // re-armed, then a real edge
    await t.engine.settled();
    expect(await runsOf('alarm')).toBe(2);
  });

  it('rebuilds a changed instance afresh, keeping its URL and generated secret', async () => {
    const clock = new FakeClock();
    const files = { 'site.yaml': site().replace(`, secret: ${SECRET} }`, ' }') };
    t = await startTestEngine({ clock, extraDrivers: [probeDriver], files });
    const secret = await t.secret('door');
    expect(await (await notify(t, 'door', secret)).json()).toMatchObject({ fired: true });
    rewrite(t, files['site.yaml'].replace('debounce: 60s', 'debounce: 90s'));
    const outcome = await t.engine.reload();
    expect(outcome.changes!.instances).toEqual({ added: [], changed: ['door'], removed: [] });
    expect(await t.secret('door')).toBe(secret);
    // Its trigger changed, so its window starts afresh: the next request fires, the one after is held.
    expect(await (await notify(t, 'door', secret)).json()).toMatchObject({ fired: true });
    expect(await (await notify(t, 'door', secret)).json()).toEqual({ fired: false, reason: 'debounced' });
  });

  it('answers "unchanged" for the same config, however its keys are ordered, and keeps the generation', async () => {
    t = await startTestEngine({ extraDrivers: [probeDriver], files: { 'site.yaml': site() } });
    const hash = t.engine.live.current.hash;
    // The same settings, written in another order.
    rewrite(t, site().replace('{ id: door, trigger: pinged, system: sys-a,', '{ system: sys-a, trigger: pinged, id: door,'));
    expect(await t.engine.reload()).toMatchObject({ result: 'unchanged', generation: 1, hash });
  });

  it('lets a removed instance finish the run it started, then answers 404 for it', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowDriver = defineDriver({
      name: 'slow',
      module: 'Slow',
      description: 'Test driver whose one method waits for the test to release it.',
      settings: z.object({}),
      state: z.object({ done: z.number() }),
      initialState: () => ({ done: 0 }),
      methods: { wait: { args: z.object({}), run: async (ctx) => gate.then(() => ctx.setState({ done: ctx.state.done + 1 })) } },
      webhooks: {},
      events: {},
    });
    const yaml = (instances: string) => `
systems:
  - { id: sys-a, modules: [{ driver: slow }] }
triggers:
  - { id: slowly, actions: [{ call: Slow_1.wait }] }
instances: [${instances}]
`;
    t = await startTestEngine({
      extraDrivers: [slowDriver],
      files: { 'site.yaml': yaml(`{ id: door, trigger: slowly, system: sys-a, secret: ${SECRET} }`) },
    });
    const { run } = (await (await notify(t, 'door')).json()) as { run: string };
    rewrite(t, yaml(''));
    expect((await t.engine.reload()).changes!.instances.removed).toEqual(['door']);
    expect((await notify(t, 'door')).status).toBe(404);
    release();
    await t.engine.settled();
    const row = await t.engine.store.database.db.selectFrom('runs').select('status').where('id', '=', run).executeTakeFirst();
    expect(row?.status).toBe('succeeded');
    expect(t.engine.modules.find('sys-a', 'Slow_1')!.currentState.done).toBe(1);
  });
});

describe('reload: a config that cannot be applied', () => {
  const good = `
systems:
  - { id: sys-a, modules: [{ driver: display }] }
triggers:
  - { id: wake, actions: [{ call: Display_1.power, args: { state: true } }] }
instances:
  - { id: door, trigger: wake, system: sys-a, secret: ${SECRET} }
`;

  it('is refused with every problem, and the running generation goes on serving', async () => {
    t = await startTestEngine({ files: { 'site.yaml': good } });
    const hash = t.engine.live.current.hash;
    rewrite(
      t,
      `
systems:
  - { id: sys-a, modules: [{ driver: dispaly }] }
triggers:
  - { id: wake, actions: [{ call: Display_1.power, args: { state: true } }] }
instances:
  - { id: door, trigger: wkae, system: sys-a, secret: ${SECRET} }
  - { id: door2, trigger: wake, system: sys-b }
`,
    );
    const outcome = await t.engine.reload();
    expect(outcome).toMatchObject({ result: 'refused', generation: 1, hash });
    const messages = outcome.problems.map((p) => `${p.file}:${p.line} ${p.path}: ${p.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/\/site\.yaml:3 systems\[0\]\.modules\[0\]\.driver: .*"dispaly".*display/),
      expect.stringMatching(/\/site\.yaml:7 instances\[0\]\.trigger: .*"wkae".*wake/),
      expect.stringMatching(/\/site\.yaml:8 instances\[1\]\.system: .*"sys-b"/),
    ]);
    const logged = t.logs.lines
      .map((line) => JSON.parse(line) as { msg: string; level: number; problems?: string[] })
      .find((entry) => entry.msg.startsWith('config reload refused'));
    expect(logged).toMatchObject({ level: 40, generation: 1, hash });
    expect(logged!.problems).toEqual(outcome.problems.map((p) => `${p.file}:${p.line}:${p.col}  ${p.path}  ${p.message}`));
    expect(await (await notify(t, 'door')).json()).toMatchObject({ fired: true });
    expect(t.engine.live.current.number).toBe(1);
  });

  it('refuses a change to what only a restart applies, naming each setting', async () => {
    t = await startTestEngine({ files: { 'site.yaml': `server: { port: 8080 }\n${good}` } });
    rewrite(
      t,
      `server: { port: 8081, body_limit: 3mb }
outbound: { concurrency: 4 }
mail: { host: smtp.example.com, from: "sb@example.com" }
${good.replace('state: true', 'state: false')}`,
    );
    const outcome = await t.engine.reload();
    expect(outcome.result).toBe('refused');
    expect(outcome.problems.map((p) => [p.path, p.message])).toEqual([
      ['server.port', expect.stringMatching(/^changed: server\.port takes effect only at a restart/)],
      ['server.body_limit', expect.stringMatching(/^changed: server\.body_limit takes effect only at a restart/)],
      ['outbound.concurrency', expect.stringMatching(/^changed: outbound\.concurrency/)],
      ['mail', expect.stringMatching(/^changed: the mail section takes effect only at a restart/)],
    ]);
    // Nothing of it was applied: the trigger still powers the display on.
    await notify(t, 'door');
    await t.engine.settled();
    expect(t.engine.modules.find('sys-a', 'Display_1')!.currentState.power).toBe(true);
  });
});

describe('reload: subscriptions', () => {
  const receivers: Receiver[] = [];
  afterEach(async () => {
    for (const r of receivers.splice(0)) await r.close();
  });
  const yaml = (subscriptions: string) => `
outbound: { allow: [127.0.0.1] }
systems:
  - { id: sys-a, modules: [{ driver: display }] }
triggers:
  - { id: wake, actions: [{ emit: room.woken, data: { by: door } }] }
instances:
  - { id: door, trigger: wake, system: sys-a, secret: ${SECRET} }
subscriptions: [${subscriptions}]
`;
  const typesAt = (receiver: Receiver) => receiver.requests.map((r) => (JSON.parse(r.body) as { type: string }).type);

  it('adds, moves and removes subscriptions: new events go where the config now says, each signed with its kept secret', async () => {
    const [first, second] = [await new Receiver().start(), await new Receiver().start()];
    receivers.push(first, second);
    t = await startTestEngine({ files: { 'site.yaml': yaml('') } });
    rewrite(t, yaml(`{ id: crm, url: "${first.url()}", events: [room.*] }`));
    expect((await t.engine.reload()).result).toBe('applied');
    await notify(t, 'door');
    await first.waitFor(1);
    const secret = (await t.engine.store.outbox.subscriptionStates()).find((s) => s.subscription_id === 'crm')!.secret!;
    expect(
      new Webhook(secret).verify(first.requests[0]!.body, first.requests[0]!.headers as Record<string, string>),
    ).toMatchObject({
      type: 'room.woken',
    });

    rewrite(t, yaml(`{ id: crm, url: "${second.url()}", events: [room.*] }`));
    expect((await t.engine.reload()).result).toBe('applied');
    await notify(t, 'door');
    await second.waitFor(1);
    expect(
      new Webhook(secret).verify(second.requests[0]!.body, second.requests[0]!.headers as Record<string, string>),
    ).toBeTruthy();
    expect(typesAt(first)).toEqual(['room.woken']);

    rewrite(t, yaml(''));
    expect((await t.engine.reload()).result).toBe('applied');
    await notify(t, 'door');
    await t.engine.settled();
    expect(await t.engine.store.outbox.list()).toHaveLength(2);
    expect(typesAt(second)).toEqual(['room.woken']);
  });
});

describe('reload: modules', () => {
  const started = new Map<string, number>();
  const countingDriver = defineDriver({
    name: 'counting',
    module: 'Counting',
    description: 'Test driver that counts how often each module starts.',
    settings: z.object({ label: z.string() }),
    state: z.object({ label: z.string(), touched: z.number() }),
    initialState: (settings) => ({ label: settings.label, touched: 0 }),
    methods: { touch: { args: z.object({}), run: (ctx) => ctx.setState({ touched: ctx.state.touched + 1 }) } },
    webhooks: {},
    events: {},
    start: (ctx) => void started.set(`${ctx.systemId}/${ctx.address}`, (started.get(`${ctx.systemId}/${ctx.address}`) ?? 0) + 1),
  });
  const yaml = (second: string, third = '') => `
systems:
  - id: sys-a
    modules:
      - { driver: counting, settings: { label: one } }
      - { driver: counting, settings: { label: ${second} } }
${third}
triggers: []
instances: []
`;

  it('restarts a module whose settings changed, starts and stops added and removed ones, and leaves the rest running', async () => {
    started.clear();
    t = await startTestEngine({ extraDrivers: [countingDriver], files: { 'site.yaml': yaml('two') } });
    const first = t.engine.modules.find('sys-a', 'Counting_1')!;
    await first.call('touch', {});
    rewrite(t, yaml('deux', '  - { id: sys-b, modules: [{ driver: counting, settings: { label: three } }] }'));
    const outcome = await t.engine.reload();
    expect(outcome.changes!.modules).toEqual({ started: ['sys-b/Counting_1'], restarted: ['sys-a/Counting_2'], stopped: [] });
    expect(Object.fromEntries(started)).toEqual({ 'sys-a/Counting_1': 1, 'sys-a/Counting_2': 2, 'sys-b/Counting_1': 1 });
    expect(t.engine.modules.find('sys-a', 'Counting_1')).toBe(first);
    expect(first.currentState.touched).toBe(1);
    expect(t.engine.modules.find('sys-a', 'Counting_2')!.currentState.label).toBe('deux');

    rewrite(t, yaml('deux'));
    expect((await t.engine.reload()).changes!.modules).toEqual({ started: [], restarted: [], stopped: ['sys-b/Counting_1'] });
    expect(t.engine.modules.find('sys-b', 'Counting_1')).toBeUndefined();
    expect(first.status).toBe('running');
  });
});

describe('reload: a schedule due during the swap', () => {
  const yaml = (extra: string) => `
systems:
  - { id: sys-a, modules: [{ driver: probe }] }
triggers:
  - id: timed
    conditions: [{ schedule: "*/10 * * * * *" }]
    actions: [{ call: Probe_1.record, args: { value: "{{ body.at }}" } }]
  - { id: other, actions: [{ call: Probe_1.record, args: { value: other } }] }
instances:
  - { id: tick, trigger: timed, system: sys-a }
${extra}`;

  it('fires once, at whatever point of the swap its time falls due', async () => {
    const clock = new FakeClock(Date.parse('2026-01-01T00:00:01Z'));
    t = await startTestEngine({ clock, extraDrivers: [probeDriver], files: { 'site.yaml': yaml('') } });
    const rounds = 24;
    for (let round = 0; round < rounds; round++) {
      clock.advance(8_000); // one second before the next ten-second mark
      // Every other round adds or removes an unrelated instance: each reload is a real swap.
      rewrite(t, yaml(round % 2 === 0 ? `  - { id: extra, trigger: other, system: sys-a }` : ''));
      const reloading = t.engine.reload();
      // The due time is reached after `round` turns of the event loop: before, during or after the swap.
      for (let turn = 0; turn < round; turn++) await new Promise((resolve) => setImmediate(resolve));
      clock.advance(1_000);
      expect((await reloading).result).toBe('applied');
      clock.advance(1_000); // runs a handed-over time that was already due
      await t.engine.settled();
    }
    const runs = await t.engine.store.database.db.selectFrom('runs').select('input').where('instance_id', '=', 'tick').execute();
    const times = runs.map((r) => (JSON.parse(r.input) as { body: { at: string } }).body.at).sort();
    const expected = Array.from({ length: rounds }, (_, i) =>
      new Date(Date.parse('2026-01-01T00:00:10Z') + i * 10_000).toISOString(),
    );
    expect(times).toEqual(expected);
  });
});

describe('reload: requests in flight', () => {
  const yaml = (trigger: string, secret: string) => `
systems:
  - { id: sys-a, modules: [{ driver: probe }] }
triggers:
  - { id: ${trigger}, actions: [{ call: Probe_1.record, args: { value: "{{ body.n }}" } }] }
instances:
  - { id: door, trigger: ${trigger}, system: sys-a, secret: ${secret} }
`;
  const OLD = 'old-secret-0123456789';
  const NEW = 'new-secret-0123456789';

  /** Sends a request's head and the first byte of its body; the rest when `finish` is called. */
  async function startRequest(engine: TestEngine, secret: string, n: number) {
    const body = JSON.stringify({ n });
    const socket = await open(targetOf(engine.engine.url));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(
      `POST /webhook/door/notify?secret=${secret} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.slice(0, 1)}`,
    );
    return {
      async finish(): Promise<{ status: number; body: Record<string, unknown> }> {
        socket.end(body.slice(1));
        await closed;
        const [head = '', payload = ''] = text.split('\r\n\r\n');
        return { status: Number(head.split(' ')[1]), body: payload ? (JSON.parse(payload) as Record<string, unknown>) : {} };
      },
    };
  }

  it('answers each of 200 requests by exactly one generation: the one serving when it arrived', async () => {
    t = await startTestEngine({ extraDrivers: [probeDriver], files: { 'site.yaml': yaml('before', OLD) } });
    const seen = { count: 0 };
    t.engine.http.server.on('request', () => seen.count++);
    // 100 requests arrive, 50 with each secret, and wait in the middle of their bodies.
    const early = await Promise.all(Array.from({ length: 100 }, (_, n) => startRequest(t!, n % 2 ? NEW : OLD, n)));
    while (seen.count < 100) await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    rewrite(t, yaml('after', NEW));
    const reloading = t.engine.reload();
    // 100 more arrive while the reload is under way.
    const late = await Promise.all(Array.from({ length: 100 }, (_, n) => startRequest(t!, n % 2 ? NEW : OLD, 100 + n)));
    expect((await reloading).result).toBe('applied');
    const answers = await Promise.all([...early, ...late].map((r) => r.finish()));
    await t.engine.settled();

    const triggerOf = new Map(
      (await t.engine.store.database.db.selectFrom('runs').select(['id', 'trigger_id']).execute()).map((r) => [
        r.id,
        r.trigger_id,
      ]),
    );
    const generationOf = (n: number, answer: { status: number; body: Record<string, unknown> }) => {
      const secret = n % 2 ? NEW : OLD;
      if (answer.status === 404) return secret === OLD ? 'after' : 'before'; // its secret is not that generation's
      expect(answer.status).toBe(202);
      const trigger = triggerOf.get(answer.body.run as string);
      // Fired: by the generation whose secret it carried, and with that generation's trigger.
      expect(trigger).toBe(secret === OLD ? 'before' : 'after');
      return trigger;
    };
    const generations = answers.map((answer, n) => generationOf(n, answer));
    // Those that arrived before the reload began were all answered by the old generation.
    expect(generations.slice(0, 100).every((g) => g === 'before')).toBe(true);
    const requestRows = await t.engine.store.database.db.selectFrom('request_log').select('id').execute();
    expect(requestRows).toHaveLength(200);
  });
});
