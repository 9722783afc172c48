// Schedules under an injected clock: cron with seconds and a time zone, one-shot `at`
// times, schedules gated by compare conditions, fire times recorded, and the misfire
// policy after a downtime (skip, once, all and its bound, the grace, catch_up's old
// spelling), with its config problems and `check`'s deprecation note.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { ConfigInvalid } from '../src/config/problems.js';
import { MISFIRE_ALL_LIMIT } from '../src/triggers/conditions/misfire.js';
import { runCli } from './support/run-cli.js';
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

interface Fired {
  at: string;
  cause: string;
}

/** Each run's schedule time and cause, in the order the runs were made. */
async function firedRuns(engine: TestEngine): Promise<Fired[]> {
  const runs = await engine.engine.store.database.db
    .selectFrom('runs')
    .select('input')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return runs.map((r) => {
    const { body } = JSON.parse(r.input) as { body: Fired };
    return { at: body.at, cause: body.cause };
  });
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

  describe('misfire after a restart', () => {
    /** Runs an hourly trigger from 10:30, fires 11:00, stops at 11:30 and starts again at `back`. */
    async function downUntil(trigger: string, back = '2026-01-01T14:10:00Z', schedule = '0 0 * * * *'): Promise<Fired[]> {
      let clock = new FakeClock(Date.parse('2026-01-01T10:30:00Z'));
      const options = {
        extraDrivers: [probeDriver],
        files: files(`${trigger}    conditions:\n      - schedule: "${schedule}"`),
      };
      t = await startTestEngine({ ...options, clock, backend });
      await advance(t, clock, 3_600_000); // fires at 11:00 (every minute: 10:31 to 11:30)
      await t.stop();
      clock = new FakeClock(Date.parse(back));
      t = await startTestEngine({ ...options, clock, dir: t.dir, postgres: t.postgres });
      await t.engine.settled();
      return firedRuns(t);
    }

    const before = { at: '2026-01-01T11:00:00.000Z', cause: 'schedule' };
    const caughtUp = (...hours: number[]) =>
      hours.map((h) => ({ at: `2026-01-01T${String(h).padStart(2, '0')}:00:00.000Z`, cause: 'catch_up' }));

    // Down from 11:30 to 14:10: 12:00, 13:00 and 14:00 were missed, each by more than the 1m grace.
    it('skip (the default): does not fire the times missed by more than the grace', async () => {
      expect(await downUntil('')).toEqual([before]);
    });

    it('once: fires the latest missed time once, with cause catch_up', async () => {
      expect(await downUntil('    misfire: once\n')).toEqual([before, ...caughtUp(14)]);
    });

    it('all: fires every missed time in order, each with cause catch_up and its own time', async () => {
      expect(await downUntil('    misfire: all\n')).toEqual([before, ...caughtUp(12, 13, 14)]);
      // Recorded as fired: a second restart owes nothing more.
      expect((await t!.engine.store.schedules.lastFires()).get('inst-a/0')).toBe(Date.parse('2026-01-01T14:00:00Z'));
    });

    it('all: fires at most MISFIRE_ALL_LIMIT times, the latest, and warns how many older ones it dropped', async () => {
      // Every minute, down from 11:30 to 14:30: 11:31 to 14:28 are missed by more than the
      // 1m grace (178 times); 14:29 (exactly the grace old) and 14:30 are late fires.
      const fired = await downUntil('    misfire: all\n', '2026-01-01T14:30:00Z', '0 * * * * *');
      const after = fired.filter((f) => f.at > '2026-01-01T11:30:00.000Z');
      expect(after.filter((f) => f.cause === 'catch_up')).toHaveLength(MISFIRE_ALL_LIMIT);
      expect(after[0]).toEqual({ at: '2026-01-01T12:49:00.000Z', cause: 'catch_up' });
      expect(after.slice(-3)).toEqual([
        { at: '2026-01-01T14:28:00.000Z', cause: 'catch_up' },
        { at: '2026-01-01T14:29:00.000Z', cause: 'schedule' },
        { at: '2026-01-01T14:30:00.000Z', cause: 'schedule' },
      ]);
      const warning = t!.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.dropped);
      expect(warning).toMatchObject({ level: 40, instance: 'inst-a', dropped: 78, more: false });
      expect(warning?.msg).toContain('78 older ones were dropped (2026-01-01T11:31:00.000Z to 2026-01-01T12:48:00.000Z)');
    });

    it('fires a time missed by less than misfire_grace as a plain late fire, whatever the policy', async () => {
      // Back at 14:00:30: 14:00 is 30 s late, within the default 1m.
      expect(await downUntil('', '2026-01-01T14:00:30Z')).toEqual([
        before,
        { at: '2026-01-01T14:00:00.000Z', cause: 'schedule' },
      ]);
    });

    it('takes a time missed by more than a shorter misfire_grace as missed', async () => {
      expect(await downUntil('    misfire: once\n    misfire_grace: 10s\n', '2026-01-01T14:00:30Z')).toEqual([
        before,
        ...caughtUp(14),
      ]);
    });

    it('reads catch_up: true as misfire: once, and catch_up: false as the default', async () => {
      expect(await downUntil('    catch_up: true\n')).toEqual([before, ...caughtUp(14)]);
      await t!.cleanup();
      expect(await downUntil('    catch_up: false\n')).toEqual([before]);
    });
  });
});

describe('misfire settings', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  /** A config directory under a temporary one, with `trigger`'s lines (first at line 6) in a timed trigger. */
  function configDir(trigger: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-misfire-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'config'));
    const site = `
systems:
  - { id: sys-a, modules: [{ driver: display }] }
triggers:
  - id: timed
${trigger}    conditions:
      - schedule: "0 0 * * * *"
    actions:
      - call: Display_1.power
        args: { state: true }
instances:
  - { id: inst-a, trigger: timed, system: sys-a }
`;
    writeFileSync(join(dir, 'config', 'site.yaml'), site);
    return dir;
  }
  const problemsOf = (dir: string) => {
    try {
      loadConfig(join(dir, 'config'));
    } catch (error) {
      if (error instanceof ConfigInvalid) return error.problems.map((p) => `${p.line}:${p.col}  ${p.path}  ${p.message}`);
      throw error;
    }
    return [];
  };

  it('refuses catch_up and misfire together, naming both, at catch_up', () => {
    expect(problemsOf(configDir('    misfire: all\n    catch_up: true\n'))).toEqual([
      '7:15  triggers[0].catch_up  give misfire or catch_up, not both; catch_up is the old spelling of misfire (catch_up: true is misfire: once)',
    ]);
  });

  it('refuses an unknown policy, and a grace without a unit or under a second', () => {
    expect(problemsOf(configDir('    misfire: every\n'))).toEqual([
      expect.stringMatching(/^6:14 {2}triggers\[0\]\.misfire {2}.*"skip".*"once".*"all"/),
    ]);
    expect(problemsOf(configDir('    misfire_grace: 30\n'))).toEqual([
      '6:20  triggers[0].misfire_grace  write 30s or 30000ms: durations carry a unit',
    ]);
    expect(problemsOf(configDir('    misfire_grace: 10ms\n'))).toEqual([
      '6:20  triggers[0].misfire_grace  give a misfire_grace of 1s or more; a timer runs a few milliseconds late',
    ]);
  });

  it('`check` notes catch_up as deprecated, with where it is written and what to write instead', async () => {
    const dir = configDir('    catch_up: true\n');
    const result = await runCli(['check', '--config', join(dir, 'config'), '--data', join(dir, 'data')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `note: ${relative(process.cwd(), join(dir, 'config', 'site.yaml'))}:6:15  triggers[0].catch_up  catch_up is deprecated; write misfire: once instead\n`,
    );
    const without = await runCli(['check', '--config', join(configDir('    misfire: once\n'), 'config')]);
    expect(without.stdout).not.toContain('deprecated');
  });
});
