// A migrated store file for retention tests, with a plain connection of the test's own to
// seed rows of every kind retention prunes and to count what is left.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { openSqlite, type Database } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';

export type PrunedTable = 'request_log' | 'runs' | 'run_actions' | 'deliveries' | 'delivery_attempts' | 'events';

export interface RetentionDb {
  file: string;
  /** The store's read connection (Kysely), as the store hands it to RetentionRepo. */
  database: Database;
  /** The test's own connection. */
  raw: SQLite.Database;
  count(table: PrunedTable): number;
  request(at: number): void;
  /** A run with `actions` actions. */
  run(at: number, status: 'pending' | 'succeeded' | 'failed', actions?: number): string;
  /** A delivery with one attempt, of a new event created at `eventAt` (default `at`). */
  delivery(at: number, status: 'pending' | 'succeeded' | 'failed', eventAt?: number): { event: string; delivery: string };
  close(): Promise<void>;
}

export async function retentionDb(): Promise<RetentionDb> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-retention-'));
  const file = join(dir, 'switchboard.db');
  const database = openSqlite(file);
  await migrateToLatest(database.db);
  const raw = new SQLite(file, { timeout: 0 });
  let n = 0;
  const id = (prefix: string) => `${prefix}_${String(++n).padStart(6, '0')}`;
  const insertRequest = raw.prepare(`insert into request_log
    (id, instance_id, received_at, method, path, headers, body, body_size, body_truncated, status, outcome, latency_ms)
    values (?, 'inst', ?, 'POST', '/webhook/inst', '{}', zeroblob(100), 100, 0, 202, 'fired', 1)`);
  const insertRun = raw.prepare(`insert into runs (id, instance_id, trigger_id, system_id, created_at, status, input)
    values (?, 'inst', 't', 'sys', ?, ?, '{}')`);
  const insertAction = raw.prepare(`insert into run_actions (run_id, position, kind, target, status, started_at, finished_at)
    values (?, ?, 'call', 'Display_1.power', 'succeeded', ?, ?)`);
  const insertEvent = raw.prepare(
    `insert into events (id, type, created_at, source, data) values (?, 'trigger.fired', ?, 'inst', '{}')`,
  );
  const insertDelivery = raw.prepare(`insert into deliveries (id, event_id, subscription_id, url, status, attempts, created_at)
    values (?, ?, 'sub', 'http://127.0.0.1:9/x', ?, 1, ?)`);
  const insertAttempt = raw.prepare(
    'insert into delivery_attempts (delivery_id, attempt, started_at, latency_ms) values (?, 1, ?, 1)',
  );
  return {
    file,
    database,
    raw,
    count: (table) => Number(raw.prepare(`select count(*) from ${table}`).pluck().get()),
    request: (at) => void insertRequest.run(id('req'), at),
    run(at, status, actions = 2) {
      const run = id('run');
      insertRun.run(run, at, status);
      for (let position = 0; position < actions; position++) insertAction.run(run, position, at, at);
      return run;
    },
    delivery(at, status, eventAt = at) {
      const event = id('evt');
      const delivery = id('dlv');
      insertEvent.run(event, eventAt);
      insertDelivery.run(delivery, event, status, at);
      insertAttempt.run(delivery, at);
      return { event, delivery };
    },
    async close() {
      raw.close();
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
