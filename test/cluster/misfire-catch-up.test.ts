// Two nodes on one PostgreSQL come back together after a downtime of three days, both with
// `misfire: all`: each catches up every missed time, and the schedule claim in each fire's
// commit lets exactly one of them fire it. The missed times span more than the day a claim
// is kept by its due time, so this also holds the claims to being kept from when they were
// made. In-process engines on fake clocks, so the downtime takes no time.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/fake-clock.js';
import { freshSchema, postgresAvailable, type Schema } from '../support/postgres.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';

const site = {
  'site.yaml': `
systems:
  - { id: sys-a, modules: [{ driver: display }] }
triggers:
  - id: hourly
    misfire: all
    conditions:
      - schedule: "0 0 * * * *"
    actions:
      - emit: hourly.tick
        data: { at: "{{ body.at }}", cause: "{{ body.cause }}" }
instances:
  - { id: inst-a, trigger: hourly, system: sys-a }
`,
};

const HOUR = 3_600_000;
const engines: TestEngine[] = [];
let schema: Schema | undefined;
afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.cleanup();
  await schema?.drop();
  schema = undefined;
});

describe.runIf(postgresAvailable)('misfire: all on two nodes', () => {
  it('fires each time missed while every node was down exactly once across the nodes', async () => {
    schema = await freshSchema();
    // One node runs from 10:30 and fires 11:00; then every node is down until three days later, 14:10.
    const clock = new FakeClock(Date.parse('2026-01-01T10:30:00Z'));
    const first = await startTestEngine({ files: site, clock, postgres: schema });
    engines.push(first);
    clock.advance(HOUR);
    await first.engine.settled();
    await first.stop();

    const back = Date.parse('2026-01-04T14:10:00Z');
    const [one, two] = await Promise.all([
      startTestEngine({ files: site, clock: new FakeClock(back), postgres: schema, dir: first.dir }),
      startTestEngine({ files: site, clock: new FakeClock(back), postgres: schema }),
    ]);
    engines.push(one, two);
    await Promise.all([one.engine.settled(), two.engine.settled()]);

    const runs = await one.engine.store.database.db.selectFrom('runs').select('input').execute();
    const fired = runs.map((r) => JSON.parse(r.input) as { body: { at: string; cause: string } });
    const missed = Array.from({ length: 75 }, (_, i) => new Date(Date.parse('2026-01-01T12:00:00Z') + i * HOUR).toISOString());
    expect(missed.at(-1)).toBe('2026-01-04T14:00:00.000Z');
    const caughtUp = fired.filter((f) => f.body.cause === 'catch_up').map((f) => f.body.at);
    expect(caughtUp.sort()).toEqual(missed);
    expect(fired).toHaveLength(1 + missed.length);
  });
});
