// Module state across a restart, on both backends: kept as it changes, read back before the
// compare conditions take their starting point, so a trigger that held before the restart
// is not a new edge after it, while one whose device changed while the engine was down
// fires once at start. A value larger than an event may carry is not kept.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineDriver } from '../src/drivers/api.js';
import { freshSchema, postgresAvailable } from './support/postgres.js';
import { probeDriver } from './support/test-drivers.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

/** The device a `device` module stands for: what its start reads when it is reachable. */
const device = { reachable: false, power: false };

const deviceDriver = defineDriver({
  name: 'device',
  module: 'Device',
  description: 'Test driver: reads its device at start when it is reachable, and takes reports.',
  settings: z.object({}),
  state: z.object({ power: z.boolean(), log: z.string() }),
  initialState: () => ({ power: false, log: '' }),
  methods: {
    report: { args: z.object({ power: z.boolean() }), run: (ctx, { power }) => ctx.setState({ power }) },
    write_log: { args: z.object({ text: z.string() }), run: (ctx, { text }) => ctx.setState({ log: text }) },
  },
  webhooks: {},
  events: {},
  start: (ctx) => {
    if (device.reachable) ctx.setState({ power: device.power });
  },
});

const files = (database: string) => ({
  'site.yaml': `
server: { database: "${database}" }
systems:
  - { id: sys-a, modules: [{ driver: device }, { driver: probe }] }
triggers:
  - id: powered
    webhook: false
    conditions: [{ compare: { left: Device_1.power, op: equal, right: true } }]
    actions: [{ call: Probe_1.record, args: { value: on } }]
instances:
  - { id: watch, trigger: powered, system: sys-a }
`,
});

let t: TestEngine | undefined;
let drop: (() => Promise<void>) | undefined;
afterEach(async () => {
  await t?.cleanup();
  await drop?.();
  t = undefined;
  drop = undefined;
  Object.assign(device, { reachable: false, power: false });
});

const fires = async (engine: TestEngine) => (await engine.engine.store.runs.stats('watch'))?.trigger_count ?? 0;
const report = (engine: TestEngine, power: boolean) => engine.engine.modules.find('sys-a', 'Device_1')!.call('report', { power });

for (const backend of ['SQLite', 'PostgreSQL'] as const) {
  describe.runIf(backend === 'SQLite' || postgresAvailable)(`module state on ${backend}`, () => {
    async function start(): Promise<TestEngine> {
      let database = 'sqlite';
      if (backend === 'PostgreSQL') {
        const fresh = await freshSchema();
        drop = fresh.drop;
        database = fresh.url;
      }
      t = await startTestEngine({ files: files(database), extraDrivers: [deviceDriver, probeDriver] });
      return t;
    }

    it('a condition that held before a restart is not a new edge after it', async () => {
      const first = await start();
      await report(first, true);
      await first.engine.settled();
      expect(await fires(first)).toBe(1);
      t = await first.restart(); // the device is unreachable at start: the module keeps what it had
      expect(t.engine.modules.find('sys-a', 'Device_1')!.currentState.power).toBe(true);
      await report(t, true); // the device says the same again
      await t.engine.settled();
      expect(await fires(t)).toBe(1);
      await report(t, false);
      await report(t, true); // a real edge
      await t.engine.settled();
      expect(await fires(t)).toBe(2);
    });

    it('a device that changed while the engine was down fires once at start', async () => {
      const first = await start();
      await report(first, false);
      await first.engine.settled();
      await first.stop();
      Object.assign(device, { reachable: true, power: true });
      t = await first.restart();
      await t.engine.settled();
      expect(await fires(t)).toBe(1);
      expect(t.engine.modules.find('sys-a', 'Probe_1')!.currentState.last).toBe('on');
    });

    it('keeps no value larger than an event carries: that key starts from its initial value', async () => {
      const first = await start();
      const module = first.engine.modules.find('sys-a', 'Device_1')!;
      await report(first, true);
      await module.call('write_log', { text: 'x'.repeat(20_000) });
      t = await first.restart();
      expect(t.engine.modules.find('sys-a', 'Device_1')!.currentState).toEqual({ power: true, log: '' });
    });
  });
}
