// Run modes (single, queued, parallel) with their limits, the delay action on the
// injected clock, and the email action received by a real local SMTP server.
import { afterEach, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { FakeClock } from './support/fake-clock.js';
import { probeDriver } from './support/test-drivers.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'modes-secret-0123456789ab';
let t: TestEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

function files(mode: string, extra = ''): Record<string, string> {
  return {
    'site.yaml': `
${extra}
systems:
  - { id: sys-a, modules: [{ driver: display }, { driver: probe }] }
triggers:
  - id: slow
    ${mode}
    actions:
      - delay: 10s
      - call: Probe_1.record
        args: { value: "{{ body.n }}" }
instances:
  - { id: inst-a, trigger: slow, system: sys-a, secret: ${SECRET} }
`,
  };
}

async function post(engine: TestEngine, n: number): Promise<{ fired: boolean; reason?: string }> {
  const response = await fetch(engine.url(`/webhook/inst-a/notify?secret=${SECRET}`), {
    method: 'POST',
    body: JSON.stringify({ n }),
    headers: { 'content-type': 'application/json' },
  });
  expect(response.status).toBe(202);
  return (await response.json()) as { fired: boolean; reason?: string };
}

/** Lets runs reach their next wait, then moves the clock. */
async function tick(clock: FakeClock, ms: number): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  clock.advance(ms);
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

const recorded = (engine: TestEngine) => engine.engine.modules.find('sys-a', 'Probe_1')!.currentState;

describe('run modes', () => {
  it('single: drops a fire while a run is active, and says so', async () => {
    const clock = new FakeClock();
    t = await startTestEngine({ clock, extraDrivers: [probeDriver], files: files('mode: single') });
    expect(await post(t, 1)).toMatchObject({ fired: true });
    expect(await post(t, 2)).toEqual({ fired: false, reason: 'busy' });
    await tick(clock, 10_000);
    await t.engine.settled();
    expect(recorded(t)).toMatchObject({ calls: 1, last: 1 });
    expect(await post(t, 3)).toMatchObject({ fired: true });
    const outcomes = (await t.engine.store.requests.list({ instanceId: 'inst-a' })).map((r) => r.outcome);
    expect(outcomes).toContain('busy');
    expect(t.logs.text()).toContain('a run is active (mode: single)');
    await tick(clock, 10_000);
    await t.engine.settled();
  });

  it('queued: runs one at a time in order and drops what is over max', async () => {
    const clock = new FakeClock();
    t = await startTestEngine({ clock, extraDrivers: [probeDriver], files: files('mode: queued\n    max: 2') });
    expect(await post(t, 1)).toMatchObject({ fired: true });
    expect(await post(t, 2)).toMatchObject({ fired: true });
    expect(await post(t, 3)).toEqual({ fired: false, reason: 'busy' });
    await tick(clock, 10_000);
    expect(recorded(t)).toMatchObject({ calls: 1, last: 1 });
    await tick(clock, 10_000);
    expect(recorded(t)).toMatchObject({ calls: 2, last: 2 });
    await t.engine.settled();
  });

  it('parallel: runs up to max at once', async () => {
    const clock = new FakeClock();
    t = await startTestEngine({ clock, extraDrivers: [probeDriver], files: files('mode: parallel\n    max: 2') });
    expect(await post(t, 1)).toMatchObject({ fired: true });
    expect(await post(t, 2)).toMatchObject({ fired: true });
    expect(await post(t, 3)).toEqual({ fired: false, reason: 'busy' });
    await tick(clock, 10_000);
    expect(recorded(t)).toMatchObject({ calls: 2 });
    await t.engine.settled();
    expect(await post(t, 4)).toMatchObject({ fired: true });
    await tick(clock, 10_000);
    await t.engine.settled();
  });
});

describe('the delay action', () => {
  it('waits on the engine clock inside the run', async () => {
    const clock = new FakeClock();
    t = await startTestEngine({ clock, extraDrivers: [probeDriver], files: files('mode: parallel') });
    await post(t, 7);
    await tick(clock, 9_999);
    expect(recorded(t).calls).toBe(0);
    await tick(clock, 1);
    await t.engine.settled();
    expect(recorded(t)).toMatchObject({ calls: 1, last: 7 });
  });
});

describe('the email action', () => {
  it('sends mail with a templated subject and body to the configured SMTP server', async () => {
    const received: { from: string; to: string[]; data: string }[] = [];
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onAuth: (auth, _session, done) => done(null, { user: auth.username }),
      onData(stream, session, done) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString('utf8')));
        stream.on('end', () => {
          received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            data,
          });
          done();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const port = (smtp.server.address() as AddressInfo).port;
    try {
      t = await startTestEngine({
        extraDrivers: [probeDriver],
        files: {
          'site.yaml': `
mail:
  host: 127.0.0.1
  port: ${port}
  from: "Switchboard <switchboard@example.test>"
  timeout: 5s
systems:
  - { id: sys-a, modules: [{ driver: display }] }
triggers:
  - id: alert
    actions:
      - email:
          to: [facilities@example.test, "Ops <ops@example.test>"]
          subject: "Leak in {{ body.room }}"
          text: "Sensor {{ body.sensor }} reported {{ body.level }} mm at {{ headers.x-site }}."
instances:
  - { id: inst-a, trigger: alert, system: sys-a, secret: ${SECRET} }
`,
        },
      });
      const response = await fetch(t.url(`/webhook/inst-a/notify?secret=${SECRET}`), {
        method: 'POST',
        body: JSON.stringify({ room: 'Kitchen 2', sensor: 'leak-7', level: 12 }),
        headers: { 'content-type': 'application/json', 'x-site': 'Sydney HQ' },
      });
      const run = ((await response.json()) as { run: string }).run;
      await t.engine.settled();
      expect(await t.engine.store.runs.get(run)).toMatchObject({ status: 'succeeded' });
      expect(received).toHaveLength(1);
      expect(received[0]!.from).toBe('switchboard@example.test');
      expect(received[0]!.to.sort()).toEqual(['facilities@example.test', 'ops@example.test']);
      expect(received[0]!.data).toContain('Subject: Leak in Kitchen 2');
      expect(received[0]!.data).toContain('Sensor leak-7 reported 12 mm at Sydney HQ.');
    } finally {
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    }
  });

  it('records a failed action when the SMTP server cannot be reached', async () => {
    t = await startTestEngine({
      extraDrivers: [probeDriver],
      files: {
        'site.yaml': `
mail: { host: 127.0.0.1, port: 9, from: switchboard@example.test, timeout: 2s }
systems:
  - { id: sys-a, modules: [{ driver: display }] }
triggers:
  - id: alert
    actions:
      - email: { to: ops@example.test, subject: hi, text: there }
instances:
  - { id: inst-a, trigger: alert, system: sys-a, secret: ${SECRET} }
`,
      },
    });
    const response = await fetch(t.url(`/webhook/inst-a/notify?secret=${SECRET}`), { method: 'POST' });
    const run = ((await response.json()) as { run: string }).run;
    await t.engine.settled();
    expect(await t.engine.store.runs.get(run)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('mail to ops@example.test was not sent'),
    });
  });
});
