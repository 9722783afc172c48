// Retention: the request log, finished runs and finished deliveries older than
// `server.retention` are pruned hourly on the engine clock; pending work never is. How a
// round works (batches, stopping, locks, giving space back) is covered beside the code, in
// src/store/retention-repo.test.ts and src/retention-job.test.ts.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'retention-secret-01234567';
const DAY = 86_400_000;
let t: TestEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const files = (retention: string) => ({
  'site.yaml': `
server:
  retention: ${retention}
outbound:
  allow: [127.0.0.1]
systems:
  - { id: sys-r, modules: [{ driver: display }] }
triggers:
  - id: t
    # Two actions: the first is recorded in run_actions (the last rides on the run's own row).
    actions:
      - call: Display_1.power
        args: { state: true }
      - call: Display_1.mute
        args: { state: true }
instances:
  - { id: inst, trigger: t, system: sys-r, secret: ${SECRET} }
subscriptions:
  # nothing listens on port 9: deliveries stay pending, retried far in the future
  - { id: sub, url: "http://127.0.0.1:9/x", events: [trigger.fired], retry: [0, 30d] }
`,
});

async function fire(engine: TestEngine): Promise<void> {
  expect((await fetch(engine.url(`/webhook/inst/notify?secret=${SECRET}`), { method: 'POST' })).status).toBe(202);
  await engine.engine.settled();
  await engine.engine.outbound.worker.idle();
}

async function counts(engine: TestEngine) {
  const db = engine.engine.store.database.db;
  const n = async (table: 'request_log' | 'runs' | 'run_actions' | 'deliveries' | 'delivery_attempts' | 'events') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    requests: await n('request_log'),
    runs: await n('runs'),
    actions: await n('run_actions'),
    deliveries: await n('deliveries'),
    attempts: await n('delivery_attempts'),
    events: await n('events'),
  };
}

describe('retention', () => {
  it('prunes finished records older than the retention and keeps pending deliveries and recent records', async () => {
    const clock = new FakeClock(Date.now());
    t = await startTestEngine({ clock, files: files('7d') });
    await fire(t); // day 0: its delivery stays pending (refused, next try in 30 days)
    const db = t.engine.store.database.db;
    await db.updateTable('deliveries').set({ status: 'failed', next_attempt_at: null }).execute(); // now finished
    await fire(t); // day 0, second: its delivery stays pending
    clock.advance(8 * DAY);
    await fire(t); // day 8: recent
    expect(await counts(t)).toMatchObject({ requests: 3, runs: 3, actions: 3, deliveries: 3, events: 3 });
    clock.advance(3_600_000); // the hourly prune runs
    // A round takes several turns of the event loop (its batches yield between them): wait for its end.
    const engine = t;
    await vi.waitFor(
      async () => expect(await counts(engine)).toMatchObject({ requests: 1, runs: 1, actions: 1, deliveries: 2, events: 2 }),
      { timeout: 10_000, interval: 10 },
    );
    const statuses = (await t.engine.store.outbox.list()).map((d) => d.status);
    expect(statuses).toEqual(['pending', 'pending']);
  });

  it('keeps everything with retention 0', async () => {
    const clock = new FakeClock(Date.now());
    t = await startTestEngine({ clock, files: files('0') });
    await fire(t);
    clock.advance(400 * DAY);
    await new Promise((r) => setTimeout(r, 50));
    expect(await counts(t)).toMatchObject({ requests: 1, runs: 1, deliveries: 1, events: 1 });
  });
});
