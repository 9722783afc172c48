// Compare conditions through a running engine: edge firing (once per transition, even
// when flapping), the index by state path, and webhooks gated by conditions.
import { afterEach, describe, expect, it } from 'vitest';
import { probeDriver } from './support/test-drivers.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'conditions-secret-0123456';
let t: TestEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const power = async (engine: TestEngine, system: string, state: boolean) =>
  engine.engine.modules.find(system, 'Display_1')!.call('power', { state });
const calls = (engine: TestEngine, system = 'sys-a') =>
  engine.engine.modules.find(system, 'Probe_1')!.currentState.calls as number;

function files(triggers: string, instances: string, systems = ['sys-a']): Record<string, string> {
  return {
    'site.yaml': `
systems:
${systems.map((id) => `  - { id: ${id}, modules: [{ driver: display }, { driver: probe }] }`).join('\n')}
triggers:
${triggers}
instances:
${instances}
`,
  };
}

const RECORD = `    actions:
      - call: Probe_1.record
        args: { value: fired }`;

describe('compare conditions', () => {
  it('fires on each transition from not holding to holding, once per transition under rapid flapping', async () => {
    t = await startTestEngine({
      extraDrivers: [probeDriver],
      files: files(
        `  - id: on-power
    conditions:
      - compare: { left: Display_1.power, op: equal, right: true }
${RECORD}`,
        `  - { id: inst-a, trigger: on-power, system: sys-a }`,
      ),
    });
    await power(t, 'sys-a', true);
    await power(t, 'sys-a', true); // no change: no transition
    await t.engine.settled();
    expect(calls(t)).toBe(1);
    for (let i = 0; i < 50; i++) {
      await power(t, 'sys-a', false);
      await power(t, 'sys-a', true);
    }
    await t.engine.settled();
    expect(calls(t)).toBe(51);
    expect((await t.engine.store.runs.stats('inst-a'))?.trigger_count).toBe(51);
  });

  it('does not fire for conditions that already hold at start, and re-arms only when they stop holding', async () => {
    t = await startTestEngine({
      extraDrivers: [probeDriver],
      files: files(
        `  - id: quiet
    conditions:
      - compare: { left: Display_1.volume, op: less_than, right: 50 }
${RECORD}`,
        `  - { id: inst-a, trigger: quiet, system: sys-a }`,
      ),
    });
    const display = t.engine.modules.find('sys-a', 'Display_1')!;
    await display.call('volume', { level: 20 }); // held at start (30 < 50) and still: no edge
    await t.engine.settled();
    expect(calls(t)).toBe(0);
    await display.call('volume', { level: 80 });
    await display.call('volume', { level: 10 });
    await t.engine.settled();
    expect(calls(t)).toBe(1);
  });

  it('combines several conditions: fires when the last of them comes to hold', async () => {
    t = await startTestEngine({
      extraDrivers: [probeDriver],
      files: files(
        `  - id: both
    conditions:
      - compare: { left: Display_1.power, op: equal, right: true }
      - compare: { left: Display_1.input, op: equal, right: { value: hdmi2 } }
${RECORD}`,
        `  - { id: inst-a, trigger: both, system: sys-a }`,
      ),
    });
    const display = t.engine.modules.find('sys-a', 'Display_1')!;
    await display.call('power', { state: true });
    await t.engine.settled();
    expect(calls(t)).toBe(0);
    await display.call('switch_to', { input: 'hdmi2' });
    await t.engine.settled();
    expect(calls(t)).toBe(1);
  });

  it('re-evaluates only the instances that read the changed state path', async () => {
    const instances = Array.from({ length: 100 }, (_, i) => `  - { id: inst-${i}, trigger: on-power, system: sys-a }`).join('\n');
    t = await startTestEngine({
      extraDrivers: [probeDriver],
      files: files(
        `  - id: on-power
    conditions:
      - compare: { left: Display_1.power, op: equal, right: true }
${RECORD}
  - id: loud
    conditions:
      - compare: { left: Display_1.volume, op: greater_than, right: 90 }
${RECORD}`,
        `${instances}\n  - { id: inst-loud, trigger: loud, system: sys-a }\n  - { id: inst-b, trigger: on-power, system: sys-b }`,
        ['sys-a', 'sys-b'],
      ),
    });
    const watcher = t.engine.live.current.conditions;
    const before = watcher.evaluations;
    await t.engine.modules.find('sys-a', 'Display_1')!.call('volume', { level: 95 });
    expect(watcher.evaluations - before).toBe(1);
    await t.engine.modules.find('sys-b', 'Display_1')!.call('power', { state: true });
    expect(watcher.evaluations - before).toBe(2);
    await t.engine.modules.find('sys-a', 'Display_1')!.call('mute', { state: true }); // read by nobody
    expect(watcher.evaluations - before).toBe(2);
    await t.engine.settled();
    expect(calls(t, 'sys-b')).toBe(1);
  });

  it('reads a nested path and counts a map with `count`', async () => {
    t = await startTestEngine({
      extraDrivers: [probeDriver],
      files: files(
        `  - id: crowd
    conditions:
      - compare: { left: Probe_1.last.people.count, op: greater_than_or_equal, right: 2 }
${RECORD.replace('value: fired', 'value: { people: {} }')}`,
        `  - { id: inst-a, trigger: crowd, system: sys-a }`,
      ),
    });
    const probe = t.engine.modules.find('sys-a', 'Probe_1')!;
    await probe.call('record', { value: { people: { ann: 1 } } });
    await t.engine.settled();
    expect(probe.currentState.calls).toBe(1);
    await probe.call('record', { value: { people: { ann: 1, bob: 2 } } });
    await t.engine.settled();
    // the edge fired the trigger, whose action recorded once more
    expect(probe.currentState.calls).toBe(3);
  });
});

describe('webhooks with conditions', () => {
  it('fires a request only while the other conditions hold, and says so when they do not', async () => {
    t = await startTestEngine({
      extraDrivers: [probeDriver],
      files: files(
        `  - id: gated
    webhook: true
    conditions:
      - compare: { left: Display_1.power, op: equal, right: true }
${RECORD}`,
        `  - { id: inst-a, trigger: gated, system: sys-a, secret: ${SECRET} }`,
      ),
    });
    const post = () =>
      fetch(t!.url(`/webhook/inst-a/notify?secret=${SECRET}`), { method: 'POST' }).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }));
    expect(await post()).toEqual({ status: 202, body: { fired: false, reason: 'conditions' } });
    await power(t, 'sys-a', true);
    await t.engine.settled();
    expect(calls(t)).toBe(0); // with a webhook, the conditions gate requests; they do not fire by themselves
    expect(await post()).toMatchObject({ status: 202, body: { fired: true } });
    await t.engine.settled();
    expect(calls(t)).toBe(1);
    const outcomes = (await t.engine.store.requests.list({ instanceId: 'inst-a' })).map((r) => r.outcome);
    expect(outcomes.sort()).toEqual(['conditions', 'fired']);
  });

  it('answers 404 on the URL of a trigger whose conditions make it webhook-less by default', async () => {
    t = await startTestEngine({
      extraDrivers: [probeDriver],
      files: files(
        `  - id: edge
    conditions:
      - compare: { left: Display_1.power, op: equal, right: true }
${RECORD}`,
        `  - { id: inst-a, trigger: edge, system: sys-a, secret: ${SECRET} }`,
      ),
    });
    expect((await fetch(t.url(`/webhook/inst-a/notify?secret=${SECRET}`), { method: 'POST' })).status).toBe(404);
  });
});
