// `switchboard instances` after known traffic: fire counts and last fired, failed actions,
// comparisons that could not be made, and whether conditions held when last evaluated,
// all read from the store (so they survive a restart).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { instances } from '../src/cli/commands/instances.js';
import type { InstanceView } from '../src/views/instance-views.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'instances-secret-0123456789';

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({
    files: {
      'site.yaml': `
systems:
  - id: sys-i
    modules: [{ driver: display }]
triggers:
  - id: t-ok
    actions: [{ call: Display_1.power, args: { state: true } }]
  - id: t-bad
    actions: [{ call: Display_1.switch_to, args: { input: "{{ body.input }}" } }]
  - id: t-cond
    webhook: true
    conditions:
      - compare: { left: Display_1.power, op: equal, right: true }
  - id: t-broken
    webhook: true
    conditions:
      - compare: { left: Display_1.power, op: greater_than, right: 3 } # boolean against number: cannot be ordered
  - id: t-off
    webhook: false
instances:
  - { id: trig-ok, trigger: t-ok, system: sys-i, secret: ${SECRET}, exec: true }
  - { id: trig-bad, trigger: t-bad, system: sys-i, secret: ${SECRET} }
  - { id: trig-cond, trigger: t-cond, system: sys-i, secret: ${SECRET} }
  - { id: trig-broken, trigger: t-broken, system: sys-i, secret: ${SECRET} }
  - { id: trig-off, trigger: t-off, system: sys-i, secret: ${SECRET} }
  - { id: trig-disabled, trigger: t-ok, system: sys-i, secret: ${SECRET}, enabled: false }
`,
    },
  });
  const fire = (instance: string, body = '{}') =>
    fetch(t.url(`/webhook/${instance}/notify?secret=${SECRET}`), {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
  await fire('trig-cond'); // power is false: conditions do not hold
  await fire('trig-ok'); // power on: trig-cond's conditions now hold
  await t.engine.settled();
  await fire('trig-ok');
  await fire('trig-bad', '{"input":"vga"}');
  await fire('trig-broken');
  await t.engine.settled();
});
afterAll(async () => t.cleanup());

async function listed(): Promise<InstanceView[]> {
  const printed: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
  try {
    expect(await instances({ config: t.configDir, data: t.dataDir, json: true })).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return printed.map((line) => JSON.parse(line) as InstanceView);
}

describe('switchboard instances', () => {
  it('shows counts, errors and condition state for every instance', async () => {
    const byId = new Map((await listed()).map((v) => [v.id, v]));
    expect(byId.get('trig-ok')).toMatchObject({
      reachable: true,
      exec: true,
      trigger_count: 2,
      action_errors: 0,
      triggered: null,
    });
    expect(byId.get('trig-ok')!.last_fired_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(byId.get('trig-bad')).toMatchObject({ trigger_count: 1, action_errors: 1 });
    expect(byId.get('trig-cond')).toMatchObject({ trigger_count: 0, triggered: true, comparison_errors: 0 });
    expect(byId.get('trig-broken')).toMatchObject({ triggered: false });
    expect(byId.get('trig-broken')!.comparison_errors).toBeGreaterThan(0);
    expect(byId.get('trig-off')).toMatchObject({ enabled: true, reachable: false });
    expect(byId.get('trig-disabled')).toMatchObject({ enabled: false, reachable: false, last_fired_at: null });
  });

  it('keeps them across a restart', async () => {
    t = await t.restart();
    const byId = new Map((await listed()).map((v) => [v.id, v]));
    expect(byId.get('trig-ok')).toMatchObject({ trigger_count: 2 });
    expect(byId.get('trig-bad')).toMatchObject({ action_errors: 1 });
  });

  it('prints a table without --json', async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
    try {
      await instances({ config: t.configDir, data: t.dataDir });
    } finally {
      spy.mockRestore();
    }
    expect(printed[0]).toMatch(/^instance\s+state\s+exec\s+fired\s+last fired\s+action errors\s+comparison errors\s+triggered$/);
    expect(printed.find((l) => l.startsWith('trig-disabled'))).toMatch(/^trig-disabled\s+disabled\s+no\s+0\s+-\s+0\s+0\s+-$/);
  });
});
