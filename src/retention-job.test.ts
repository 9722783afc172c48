// The retention job's rounds: stopping the job (engine shutdown) ends a round between two
// batches and starts no other; a round another process locks out is logged and given up,
// and the next one carries on.
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../test/support/fake-clock.js';
import { captureLogs } from '../test/support/log-capture.js';
import { retentionDb, type RetentionDb } from '../test/support/retention-db.js';
import { PRUNE_EVERY_MS, RetentionJob } from './retention-job.js';
import { RetentionRepo } from './store/retention-repo.js';

const DAY = 86_400_000;

let db: RetentionDb | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
});

/** 35 requests 40 days old, at the fake clock's now. */
async function withOldRequests(clock: FakeClock): Promise<RetentionDb> {
  const d = await retentionDb();
  d.raw.transaction(() => {
    for (let i = 0; i < 35; i++) d.request(clock.now() - 40 * DAY + i);
  })();
  return d;
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise<void>((resolve) => setImmediate(resolve));
}

describe('RetentionJob', () => {
  it('ends the round in progress between two batches when stopped, and starts no other', async () => {
    const clock = new FakeClock();
    db = await withOldRequests(clock);
    const d = db;
    const logs = captureLogs();
    const job = new RetentionJob(new RetentionRepo(d.database.db, { batchSize: 10 }), 30 * DAY, clock, logs.log);
    job.start();
    clock.advance(0); // the round at start
    await until(() => d.count('request_log') < 35);
    await job.stop();
    const left = d.count('request_log');
    expect(left).toBeGreaterThan(0);
    expect((35 - left) % 10).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    clock.advance(PRUNE_EVERY_MS);
    expect(d.count('request_log')).toBe(left);
    expect(logs.text()).not.toContain('pruning failed');
  });

  it('logs a round another process locks out, and the next round carries on', async () => {
    const clock = new FakeClock();
    db = await withOldRequests(clock);
    const d = db;
    const logs = captureLogs();
    const repo = new RetentionRepo(d.database.db, { batchSize: 10, lockRetries: 2, lockWait: async () => {} });
    const job = new RetentionJob(repo, 30 * DAY, clock, logs.log);
    const other = new SQLite(d.file, { timeout: 0 });
    try {
      other.exec('begin immediate');
      await job.pruneOnce();
      expect(logs.text()).toContain('pruning stopped for this round: another process held the database lock');
      expect(d.count('request_log')).toBe(35);
      other.exec('rollback');
    } finally {
      other.close();
    }
    await job.pruneOnce();
    expect(d.count('request_log')).toBe(0);
    const pruned = logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((l) => l.requests === 35);
    expect(pruned).toMatchObject({ msg: 'pruned records older than the retention', runs: 0 });
  });
});
