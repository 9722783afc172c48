// A PJLink projector end to end: a fake PJLink device on a local port, the engine's
// Projector_1 connected to it, a trigger URL that powers it on, a compare trigger that
// fires when its power state becomes `on`, and a dropped connection that the module
// rides out: it goes offline, reconnects after the backoff (on the engine's fake clock)
// and sends the command that waited. /metrics and the admin API show the connection.
import { afterEach, describe, expect, it } from 'vitest';
import type { StateChange } from '../src/drivers/module-instance.js';
import { fakeDevice, type FakeDevice } from '../src/drivers/testing/fake-device.js';
import { FakeClock } from './support/fake-clock.js';
import { probeDriver } from './support/test-drivers.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'projector-secret-0123456789';
const VIEWER = 'viewer-token-0123456789abcdefghij';
let t: TestEngine | undefined;
let device: FakeDevice | undefined;
afterEach(async () => {
  await t?.cleanup();
  await device?.close();
  t = device = undefined;
});

function files(port: number): Record<string, string> {
  return {
    'site.yaml': `
admin:
  tokens:
    - { name: viewer, token: ${VIEWER}, scope: read }
systems:
  - id: sys-room
    modules:
      - driver: pjlink
        settings: { host: 127.0.0.1, port: ${port} }
      - driver: probe
triggers:
  - id: projector-on
    actions:
      - call: Projector_1.power
        args: { state: true }
  - id: when-on
    conditions:
      - compare: { left: Projector_1.power, op: equal, right: on }
    actions:
      - call: Probe_1.record
        args: { value: projector is on }
instances:
  - id: trig-projector-on
    trigger: projector-on
    system: sys-room
    secret: ${SECRET}
  - id: inst-when-on
    trigger: when-on
    system: sys-room
`,
  };
}

/** Resolves when Projector_1's state key next becomes `value`. */
function becomes(engine: TestEngine, key: string, value: unknown): Promise<void> {
  return new Promise((resolve) =>
    engine.engine.modules.onStateChange((change: StateChange) => {
      if (change.address === 'Projector_1' && change.key === key && Object.is(change.new, value)) resolve();
    }),
  );
}

/** What /metrics says of Projector_1's device connection: 1 online, 0 offline. */
async function connectedMetric(engine: TestEngine): Promise<string | undefined> {
  const text = await (await fetch(engine.url('/metrics'))).text();
  return /^switchboard_module_connected\{system="sys-room",module="Projector_1"\} (\d)$/m.exec(text)?.[1];
}

/** What /admin/v1/status says of Projector_1. */
async function adminView(engine: TestEngine): Promise<unknown> {
  const response = await fetch(`${engine.engine.adminUrl!}/admin/v1/status`, { headers: { authorization: `Bearer ${VIEWER}` } });
  const body = (await response.json()) as { modules: { address: string }[] };
  return body.modules.find((m) => m.address === 'Projector_1');
}

/** The fake projector answers the power and lamp poll a new connection starts with. */
async function answerPoll(d: FakeDevice, power: string): Promise<void> {
  await d.expect('%1POWR ?\r');
  d.reply(`%1POWR=${power}\r`);
  await d.expect('%1LAMP ?\r');
  d.reply('%1LAMP=1200 1\r');
}

describe('pjlink projector end to end', () => {
  it('powers on from a trigger URL, fires a compare trigger on power on, and rides out a dropped connection', async () => {
    const clock = new FakeClock();
    device = await fakeDevice({ greeting: 'PJLINK 0\r' });
    t = await startTestEngine({ files: files(device.port), extraDrivers: [probeDriver], clock });
    const projector = t.engine.modules.find('sys-room', 'Projector_1')!;
    await answerPoll(device, '0');
    expect(projector.connection).toBe('online');
    expect(await connectedMetric(t)).toBe('1');

    // A trigger URL powers it on: the action's command goes out and the power state is read back.
    const isOn = becomes(t, 'power', 'on');
    const fired = await fetch(t.url(`/webhook/trig-projector-on/notify?secret=${SECRET}`), { method: 'POST' });
    expect(fired.status).toBe(202);
    await device.expect('%1POWR 1\r');
    device.reply('%1POWR=OK\r');
    await device.expect('%1POWR ?\r');
    device.reply('%1POWR=1\r');
    await isOn;
    await t.engine.settled();
    const probe = t.engine.modules.find('sys-room', 'Probe_1')!;
    expect(probe.currentState).toEqual({ calls: 1, last: 'projector is on' });

    // The projector drops the connection: the module goes offline and a command waits.
    const offline = becomes(t, 'online', false);
    device.drop();
    await offline;
    expect(projector.connection).toBe('offline');
    expect(projector.connectionError).toBe(`127.0.0.1:${device.port} closed the connection`);
    expect(await connectedMetric(t)).toBe('0');
    expect(await adminView(t)).toEqual({
      system: 'sys-room',
      address: 'Projector_1',
      driver: 'pjlink',
      status: 'running',
      failure: null,
      connection: 'offline',
      connection_error: `127.0.0.1:${device.port} closed the connection`,
    });
    const mute = projector.call('mute', { state: true });

    // Past the first backoff (1 s) it reconnects; the waiting mute goes before the poll.
    const online = becomes(t, 'online', true);
    clock.advance(1_000);
    await device.connected(2);
    await online;
    await device.expect('%1AVMT 31\r');
    device.reply('%1AVMT=OK\r');
    await mute;
    await answerPoll(device, '1');
    expect(projector.currentState).toMatchObject({ power: 'on', mute: true, online: true });
    expect(projector.connection).toBe('online');
    expect(projector.connectionError).toBeUndefined();
    expect(await connectedMetric(t)).toBe('1');
    expect(await adminView(t)).toMatchObject({ connection: 'online', connection_error: null });
    // Power stayed on across the reconnect: no second transition, no second fire.
    await t.engine.settled();
    expect(probe.currentState.calls).toBe(1);
  });
});
