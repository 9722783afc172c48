// Module lifecycle: modules start with their settings and stop on shutdown; a driver
// that throws on start fails only its own module, reported by name, and the rest runs.
import { describe, expect, it } from 'vitest';
import { defineDriver, z } from '../src/drivers/api.js';
import { brokenDriver as broken } from './support/test-drivers.js';
import { startTestEngine } from './support/test-engine.js';

const events: string[] = [];
const tracker = defineDriver({
  name: 'tracker',
  module: 'Tracker',
  description: 'Records its lifecycle for the test.',
  settings: z.object({ label: z.string() }),
  state: z.object({}),
  initialState: () => ({}),
  methods: {},
  start: (ctx) => void events.push(`start ${ctx.address} ${ctx.settings.label}`),
  stop: (ctx) => void events.push(`stop ${ctx.address}`),
});

const SECRET = 'lifecycle-secret-012345';
const files = {
  'site.yaml': `
systems:
  - id: sys-l
    modules:
      - { driver: tracker, settings: { label: first } }
      - { driver: broken }
      - { driver: display }
triggers:
  - id: t-both
    actions:
      - call: Display_1.power
        args: { state: true }
  - id: t-broken
    actions:
      - call: Broken_1.ping
  - id: t-exec
instances:
  - { id: trig-both, trigger: t-both, system: sys-l, secret: ${SECRET} }
  - { id: trig-broken, trigger: t-broken, system: sys-l, secret: ${SECRET} }
  - { id: trig-exec, trigger: t-exec, system: sys-l, secret: ${SECRET}, exec: true }
`,
};

describe('module lifecycle', () => {
  it('starts modules with their settings, keeps running past one that fails, and stops them on shutdown', async () => {
    const t = await startTestEngine({ files, extraDrivers: [tracker, broken] });
    try {
      expect(events).toEqual(['start Tracker_1 first']);
      const failed = t.engine.modules.find('sys-l', 'Broken_1')!;
      expect(failed.status).toBe('failed');
      expect(t.logs.text()).toMatch(/"module":"Broken_1".*"reason":"cannot reach 10.0.0.9:4352".*module failed to start/);

      // The healthy modules work.
      const fired = await fetch(t.url(`/webhook/trig-both/notify?secret=${SECRET}`), { method: 'POST' });
      expect(fired.status).toBe(202);
      await t.engine.executor.settled();
      expect(t.engine.modules.find('sys-l', 'Display_1')!.currentState.power).toBe(true);

      // Calling the failed module records a clear error on the run.
      const run = (
        (await (await fetch(t.url(`/webhook/trig-broken/notify?secret=${SECRET}`), { method: 'POST' })).json()) as { run: string }
      ).run;
      await t.engine.executor.settled();
      expect(await t.engine.store.runs.get(run)).toMatchObject({
        status: 'failed',
        error: expect.stringContaining('Broken_1 is failed (cannot reach 10.0.0.9:4352)'),
      });

      // exec into it answers 500 without the internals.
      const exec = await fetch(t.url(`/webhook/trig-exec/notify/${SECRET}/Broken/1/hook`), { method: 'POST' });
      expect(exec.status).toBe(500);
      expect(await exec.text()).not.toContain('10.0.0.9');
    } finally {
      await t.cleanup();
    }
    expect(events).toEqual(['start Tracker_1 first', 'stop Tracker_1']);
  });
});
