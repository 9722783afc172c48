// Schedules under an injected clock: cron with seconds and a time zone, one-shot `at`
// times, schedules gated by compare conditions, fire times recorded, and catch-up.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { probeDriver } from './support/test-drivers.js';
import { BACKENDS } from './support/postgres.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

function files(trigger: string): Record<string, string> {
  return {
    'site.yaml': `
systems:
  - { id: sys-a, modules: [{ driver: display }, { driver: probe }] }
triggers:
  - id: timed
${trigger}
    actions:
      - call: Probe_1.record
        args: { value: "{{ body.at }}" }
instances:
  - { id: inst-a, trigger: timed, system: sys-a }
`,
  };
}

async function advance(engine: TestEngine, clock: FakeClock, ms: number): Promise<void> {
  clock.advance(ms);
  await engine.engine.settled();
}

async function firedAt(engine: TestEngine): Promise<string[]> {
  const runs = await engine.engine.store.database.db.selectFrom('runs').select('input').orderBy('created_at').execute();
  return runs.map((r) => (JSON.parse(r.input) as { body: { at: string } }).body.at);
}

describe.each(BACKENDS)('on %s', (backend) => {
  describe('schedule conditions', () => {
    it('fires a cron schedule with seconds at each matching second, and records the fire time', async () => {
      const clock = new FakeClock(Date.parse('2026-01-01T00:00:05Z'));
      t = await startTestEngine({
        backend,
        clock,
        extraDrivers: [probeDriver],
        files: files('    conditions:\n      - schedule: "*/10 * * * * *"'),
      });
      await advance(t, clock, 4_999);
      expect(await firedAt(t)).toEqual([]);
      await advance(t, clock, 1);
      await advance(t, clock, 20_000);
      expect(await firedAt(t)).toEqual(['2026-01-01T00:00:10.000Z', '2026-01-01T00:00:20.000Z', '2026-01-01T00:00:30.000Z']);
      const recorded = await t.engine.store.schedules.lastFires();
      expect(recorded.get('inst-a/0')).toBe(Date.parse('2026-01-01T00:00:30Z'));
      expect(t.engine.modules.find('sys-a', 'Probe_1')!.currentState.last).toBe('2026-01-01T00:00:30.000Z');
    });

    it('reads the cron fields in the trigger`s time zone', async () => {
      // 09:30 in Sydney on 2 January 2026 (UTC+11) is 22:30 UTC on 1 January.
      const clock = new FakeClock(Date.parse('2026-01-01T22:29:00Z'));
      t = await startTestEngine({
        backend,
        clock,
        extraDrivers: [probeDriver],
        files: files('    conditions:\n      - schedule: "0 30 9 * * *"\n        timezone: Australia/Sydney'),
      });
      await advance(t, clock, 59_999);
      expect(await firedAt(t)).toEqual([]);
      await advance(t, clock, 1);
      expect(await firedAt(t)).toEqual(['2026-01-01T22:30:00.000Z']);
      await advance(t, clock, 86_400_000);
      expect(await firedAt(t)).toEqual(['2026-01-01T22:30:00.000Z', '2026-01-02T22:30:00.000Z']);
    });

    it('keeps a daily time across a daylight-saving change', async () => {
      // New York moves to summer time on 8 March 2026: 09:00 is 14:00 UTC before, 13:00 UTC after.
      const clock = new FakeClock(Date.parse('2026-03-07T12:00:00Z'));
      t = await startTestEngine({
        backend,
        clock,
        extraDrivers: [probeDriver],
        files: files('    conditions:\n      - schedule: "0 0 9 * * *"\n        timezone: America/New_York'),
      });
      await advance(t, clock, 2 * 86_400_000);
      expect(await firedAt(t)).toEqual(['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z']);
    });

    it('fires each one-shot `at` time once', async () => {
      const clock = new FakeClock(Date.parse('2026-12-24T05:00:00Z'));
      t = await startTestEngine({
        backend,
        clock,
        extraDrivers: [probeDriver],
        files: files(
          '    conditions:\n      - at: ["2026-12-24T17:00:00+11:00", "2026-12-24T07:30:00Z", "2026-12-01T00:00:00Z"]',
        ),
      });
      await advance(t, clock, 3 * 3_600_000);
      expect(await firedAt(t)).toEqual(['2026-12-24T06:00:00.000Z', '2026-12-24T07:30:00.000Z']);
      await advance(t, clock, 30 * 86_400_000);
      expect(await firedAt(t)).toHaveLength(2);
    });

    it('fires a schedule only while the compare conditions hold', async () => {
      const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
      t = await startTestEngine({
        backend,
        clock,
        extraDrivers: [probeDriver],
        files: files(
          '    conditions:\n      - schedule: "0 * * * * *"\n      - compare: { left: Display_1.power, op: equal, right: true }',
        ),
      });
      await advance(t, clock, 60_000);
      expect(await firedAt(t)).toEqual([]);
      await t.engine.modules.find('sys-a', 'Display_1')!.call('power', { state: true });
      await advance(t, clock, 60_000);
      expect(await firedAt(t)).toEqual(['2026-01-01T00:02:00.000Z']);
      // Turning it on is not a fire by itself: a schedule is the trigger's event.
      expect(await t.engine.store.runs.stats('inst-a')).toMatchObject({ trigger_count: 1 });
    });
  });

  describe('catch-up after a restart', () => {
    async function missedWhileDown(catchUp: boolean): Promise<string[]> {
      let clock = new FakeClock(Date.parse('2026-01-01T10:30:00Z'));
      const options = {
        extraDrivers: [probeDriver],
        files: files(`    catch_up: ${catchUp}\n    conditions:\n      - schedule: "0 0 * * * *"`),
      };
      t = await startTestEngine({ ...options, clock, backend });
      await advance(t, clock, 3_600_000); // fires at 11:00
      await t.stop();
      // Down from 11:30 to 14:10: 12:00, 13:00 and 14:00 were missed.
      clock = new FakeClock(Date.parse('2026-01-01T14:10:00Z'));
      t = await startTestEngine({ ...options, clock, dir: t.dir, postgres: t.postgres });
      await t.engine.settled();
      return firedAt(t);
    }

    it('fires once for the times missed while down when catch_up is true', async () => {
      expect(await missedWhileDown(true)).toEqual(['2026-01-01T11:00:00.000Z', '2026-01-01T12:00:00.000Z']);
      const runs = await t!.engine.store.database.db.selectFrom('runs').select('input').execute();
      expect(runs.map((r) => JSON.parse(r.input).body.cause)).toEqual(['schedule', 'catch_up']);
    });

    it('does not replay missed times without catch_up', async () => {
      expect(await missedWhileDown(false)).toEqual(['2026-01-01T11:00:00.000Z']);
    });
  });
});
