// Retention's batches: everything old goes and nothing pending does, ten rows per
// transaction with the event loop free between them; a stop ends the round between two
// batches; a lock held by another process is waited for without blocking and without
// losing the round; and the space freed goes back to the disk.
import { statSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { retentionDb, type RetentionDb } from '../../test/support/retention-db.js';
import { enableIncrementalVacuum } from './auto-vacuum.js';
import { backoff, type LockWait } from './lock-retry.js';
import { PruneLocked, RetentionRepo } from './retention-repo.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
const BEFORE = NOW - 30 * DAY;
/** Old rows, four to a timestamp, so that batches of ten end part-way through a timestamp. */
const old = (i: number) => BEFORE - DAY + Math.floor(i / 4);

let db: RetentionDb | undefined;
const others: SQLite.Database[] = [];
afterEach(async () => {
  for (const other of others.splice(0)) other.close();
  await db?.close();
  db = undefined;
});

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Turns the event loop until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await nextTurn();
}

/** A connection of another process's kind, holding the write lock until rolled back. */
function holdWriteLock(file: string): SQLite.Database {
  const other = new SQLite(file, { timeout: 0 });
  others.push(other);
  other.exec('begin immediate');
  return other;
}

/** 35 old requests; and of every other kind 35 old finished rows with old pending ones among them. */
async function seeded(): Promise<RetentionDb> {
  const d = await retentionDb();
  d.raw.transaction(() => {
    for (let i = 0; i < 35; i++) {
      d.request(old(i));
      d.run(old(i), i % 2 === 0 ? 'succeeded' : 'failed');
      d.delivery(old(i), i % 2 === 0 ? 'succeeded' : 'failed');
      // pending, whatever their age: never deleted, nor their actions, attempts and events
      if (i % 10 === 3) {
        d.run(old(i), 'pending');
        d.delivery(old(i), 'pending');
      }
    }
    for (let i = 0; i < 5; i++) {
      d.request(NOW - i);
      d.run(NOW - i, 'succeeded');
      d.delivery(NOW - i, 'succeeded');
    }
    // an old event whose delivery is recent stays while the delivery does
    d.delivery(NOW, 'succeeded', old(0));
  })();
  return d;
}

const remaining = (d: RetentionDb) => ({
  requests: d.count('request_log'),
  runs: d.count('runs'),
  actions: d.count('run_actions'),
  deliveries: d.count('deliveries'),
  attempts: d.count('delivery_attempts'),
  events: d.count('events'),
});

describe('RetentionRepo.prune', () => {
  it('deletes every old row and nothing pending or recent, in batches of ten with the event loop free between them', async () => {
    db = await seeded();
    const d = db;
    expect(remaining(d)).toEqual({ requests: 40, runs: 44, actions: 88, deliveries: 45, attempts: 45, events: 45 });
    const repo = new RetentionRepo(d.database.db, { batchSize: 10 });
    let done = false;
    const pruning = repo.prune(BEFORE).finally(() => (done = true));
    // What another part of the engine sees while the round runs: each batch committed on its own.
    const seen = new Set<number>();
    while (!done) {
      seen.add(d.count('request_log'));
      await nextTurn();
    }
    expect(await pruning).toEqual({ requests: 35, runs: 35, deliveries: 35, events: 35 });
    expect([...seen].filter((n) => n !== 40 && n !== 5)).not.toEqual([]);
    expect([...seen].every((n) => [40, 30, 20, 10, 5].includes(n))).toBe(true);
    // left: the recent rows, the 4 old pending runs and deliveries with their actions,
    // attempts and events, and the recent delivery of an old event with that event
    expect(remaining(d)).toEqual({ requests: 5, runs: 9, actions: 18, deliveries: 10, attempts: 10, events: 10 });
    expect(d.raw.prepare("select count(*) from runs where status != 'pending' and created_at < ?").pluck().get(BEFORE)).toBe(0);
    expect(d.raw.prepare("select count(*) from deliveries where status = 'pending'").pluck().get()).toBe(4);
    expect(d.raw.prepare('select count(*) from run_actions where run_id not in (select id from runs)').pluck().get()).toBe(0);
    expect(d.raw.prepare('select count(*) from events where id not in (select event_id from deliveries)').pluck().get()).toBe(0);
    // a second round finds nothing more
    expect(await repo.prune(BEFORE)).toEqual({ requests: 0, runs: 0, deliveries: 0, events: 0 });
  });

  it('walks requests and runs in the order they were written, stopping at the first one not old enough', async () => {
    db = await retentionDb();
    const d = db;
    // Written out of time order: the old rows after the recent one wait for a later round.
    d.raw.transaction(() => {
      for (const at of [old(0), old(1), NOW, old(2)]) {
        d.request(at);
        d.run(at, 'succeeded');
      }
    })();
    const repo = new RetentionRepo(d.database.db, { batchSize: 10 });
    expect(await repo.prune(BEFORE)).toMatchObject({ requests: 2, runs: 2 });
    expect(d.count('request_log')).toBe(2);
    // Once the recent row is old too, the round goes past it.
    expect(await repo.prune(NOW + 1)).toMatchObject({ requests: 2, runs: 2 });
    expect(d.count('request_log')).toBe(0);
  });

  it('ends the round between two batches once its signal aborts, keeping what the batches before deleted', async () => {
    db = await seeded();
    const d = db;
    const stop = new AbortController();
    const pruning = new RetentionRepo(d.database.db, { batchSize: 10 }).prune(BEFORE, { signal: stop.signal });
    await until(() => d.count('request_log') < 40);
    stop.abort();
    const pruned = await pruning;
    expect(pruned.requests).toBeGreaterThan(0);
    expect(pruned.requests).toBeLessThan(35);
    expect(pruned.requests % 10).toBe(0);
    expect(pruned).toMatchObject({ runs: 0, deliveries: 0, events: 0 });
    expect(d.count('request_log')).toBe(40 - pruned.requests);
    expect(d.count('runs')).toBe(44);
  });

  it('waits for a write lock another connection holds, without throwing, and finishes once it is released', async () => {
    db = await seeded();
    const d = db;
    const other = holdWriteLock(d.file);
    const waits: number[] = [];
    const lockWait: LockWait = (retry, signal) => {
      waits.push(retry);
      return backoff(retry, signal);
    };
    const pruning = new RetentionRepo(d.database.db, { batchSize: 10, lockWait }).prune(BEFORE);
    await until(() => waits.length >= 3);
    expect(d.count('request_log')).toBe(40);
    other.exec('rollback');
    expect(await pruning).toEqual({ requests: 35, runs: 35, deliveries: 35, events: 35 });
    expect(d.count('request_log')).toBe(5);
  });

  it('gives the round up with PruneLocked, and what went before, when the lock outlasts every retry', async () => {
    db = await seeded();
    const d = db;
    // The lock is taken after the first batch: that batch stays deleted.
    const lockWait: LockWait = async () => {};
    const repo = new RetentionRepo(d.database.db, { batchSize: 10, lockRetries: 3, lockWait });
    const pruning = repo.prune(BEFORE);
    await until(() => d.count('request_log') < 40);
    const other = holdWriteLock(d.file);
    const error: unknown = await pruning.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PruneLocked);
    const pruned = (error as PruneLocked).pruned;
    expect(pruned.requests).toBeGreaterThan(0);
    expect(d.count('request_log')).toBe(40 - pruned.requests);
    other.exec('rollback');
    // the next round carries on
    expect((await repo.prune(BEFORE)).requests).toBe(35 - pruned.requests);
  });
});

describe('RetentionRepo.reclaimSpace', () => {
  /** 3,000 old requests of 1 KB each (about 3 MB), in a file with incremental auto-vacuum. */
  async function bulky(): Promise<RetentionDb> {
    const d = await retentionDb();
    expect(enableIncrementalVacuum(d.raw)).toBe(true);
    const insert = d.raw.prepare(`insert into request_log
      (id, instance_id, received_at, method, path, headers, body, body_size, body_truncated, status, outcome, latency_ms)
      values (?, 'inst', ?, 'POST', '/x', '{}', randomblob(1000), 1000, 0, 202, 'fired', 1)`);
    d.raw.transaction(() => {
      for (let i = 0; i < 3_000; i++) insert.run(`req_${i}`, old(i));
    })();
    d.raw.pragma('wal_checkpoint(TRUNCATE)');
    return d;
  }

  it('gives the freed pages back in steps and empties the WAL', async () => {
    db = await bulky();
    const d = db;
    const before = statSync(d.file).size;
    const repo = new RetentionRepo(d.database.db, { vacuumStepPages: 100 });
    expect((await repo.prune(BEFORE)).requests).toBe(3_000);
    expect(d.raw.pragma('freelist_count', { simple: true })).toBeGreaterThan(500);
    const reclaimed = await repo.reclaimSpace();
    expect(reclaimed.freedPages).toBeGreaterThan(500);
    expect(reclaimed).toMatchObject({ freePages: 0, walTruncated: true });
    expect(statSync(d.file).size).toBeLessThan(before - 2_000_000);
    expect(statSync(`${d.file}-wal`).size).toBe(0);
    expect(d.raw.pragma('integrity_check', { simple: true })).toBe('ok');
  });

  it('leaves the WAL for the next round when a reader is in the way, without waiting or throwing', async () => {
    db = await bulky();
    const d = db;
    const repo = new RetentionRepo(d.database.db);
    await repo.prune(BEFORE);
    const reader = new SQLite(d.file, { timeout: 0 });
    others.push(reader);
    reader.exec('begin');
    reader.prepare('select count(*) from request_log').get();
    const reclaimed = await repo.reclaimSpace();
    expect(reclaimed.walTruncated).toBe(false);
    reader.exec('commit');
    expect((await repo.reclaimSpace()).walTruncated).toBe(true);
  });
});
