// Fills a migrated store file for the retention bench, straight through better-sqlite3 in
// big transactions: old request-log rows with bodies of a chosen size, old finished runs
// with their actions and deliveries with their events and attempts (all to be pruned), and
// what retention must keep: old pending runs and deliveries, and recent rows of every kind.
import { closeSync, fsyncSync, openSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { randomIds } from '../../src/ids.js';

const DAY = 86_400_000;
const ROWS_PER_TRANSACTION = 50_000;

export interface SeedPlan {
  /** Old request-log rows: the bulk of what is pruned. */
  requests: number;
  bodyBytes: number;
  /** Rows older than this are pruned. */
  before: number;
}

/** What each table holds after seeding, and what retention must leave. */
export interface Seeded {
  total: Record<SeededTable, number>;
  kept: Record<SeededTable, number>;
}

export type SeededTable = 'request_log' | 'runs' | 'run_actions' | 'deliveries' | 'delivery_attempts' | 'events';

const HEADERS = JSON.stringify({
  host: 'switchboard.example.com',
  'user-agent': 'Meraki-Webhook/2.0',
  'content-type': 'application/json',
  'content-length': '1024',
  'x-forwarded-for': '203.0.113.7',
});

export function seed(file: string, plan: SeedPlan): Seeded {
  const db = new SQLite(file);
  db.pragma('synchronous = OFF');
  const body = Buffer.alloc(plan.bodyBytes, 'x');
  const oldRuns = Math.floor(plan.requests / 10);
  const oldDeliveries = Math.floor(plan.requests / 100);
  const pending = Math.max(10, Math.floor(plan.requests / 10_000));
  const recent = Math.max(10, Math.floor(plan.requests / 1_000));
  // Old rows spread over the 30 days before the retention's cut, in order, as they arrived.
  const oldAt = (i: number, of: number) => plan.before - 30 * DAY + Math.floor((i * 30 * DAY) / of);
  const recentAt = (i: number) => plan.before + DAY + i;

  const insert = {
    request: db.prepare(`insert into request_log
      (id, instance_id, received_at, method, path, headers, body, body_size, body_truncated, status, outcome, run_id, latency_ms, reason, client_ip)
      values (?, ?, ?, 'POST', ?, ?, ?, ?, 0, 202, 'fired', null, 1.5, null, '203.0.113.7')`),
    run: db.prepare(`insert into runs (id, instance_id, trigger_id, system_id, request_id, created_at, status, input, finished_at, error)
      values (?, 'inst-1', 'trig-1', 'sys-1', null, ?, ?, '{"body":{"cause":"bench"}}', ?, null)`),
    action: db.prepare(`insert into run_actions (run_id, position, kind, target, status, error, started_at, finished_at)
      values (?, ?, 'call', 'Display_1.power', 'succeeded', null, ?, ?)`),
    event: db.prepare(
      `insert into events (id, type, created_at, source, data) values (?, 'trigger.fired', ?, 'inst-1', '{"room":"4.01"}')`,
    ),
    delivery:
      db.prepare(`insert into deliveries (id, event_id, subscription_id, url, status, attempts, next_attempt_at, created_at, finished_at, last_status, last_error)
      values (?, ?, 'sub-1', 'https://hooks.example.com/in', ?, 1, ?, ?, ?, 200, null)`),
    attempt:
      db.prepare(`insert into delivery_attempts (delivery_id, attempt, started_at, latency_ms, status_code, error, response)
      values (?, 1, ?, 12.5, 200, null, 'ok')`),
  };
  const request = (at: number) => {
    const instance = `inst-${at % 50}`;
    insert.request.run(randomIds.next('req'), instance, at, `/webhook/${instance}/notify`, HEADERS, body, body.length);
  };
  const run = (at: number, status: 'pending' | 'succeeded') => {
    const id = randomIds.next('run');
    insert.run.run(id, at, status, status === 'pending' ? null : at + 100);
    for (const position of [0, 1]) insert.action.run(id, position, at, at + 50);
  };
  const delivery = (at: number, status: 'pending' | 'succeeded') => {
    const event = randomIds.next('evt');
    const id = randomIds.next('dlv');
    insert.event.run(event, at);
    insert.delivery.run(
      id,
      event,
      status,
      status === 'pending' ? at + 30 * DAY * 2 : null,
      at,
      status === 'pending' ? null : at + 20,
    );
    insert.attempt.run(id, at);
  };
  /** Runs `write(i)` for i in [0, count) in transactions of ROWS_PER_TRANSACTION. */
  const inBatches = (count: number, write: (i: number) => void) => {
    for (let start = 0; start < count; start += ROWS_PER_TRANSACTION) {
      db.transaction(() => {
        for (let i = start; i < Math.min(count, start + ROWS_PER_TRANSACTION); i++) write(i);
      })();
    }
  };

  inBatches(plan.requests, (i) => request(oldAt(i, plan.requests)));
  inBatches(oldRuns, (i) => run(oldAt(i, oldRuns), 'succeeded'));
  inBatches(oldDeliveries, (i) => delivery(oldAt(i, oldDeliveries), 'succeeded'));
  inBatches(pending, (i) => {
    run(oldAt(i, pending), 'pending');
    delivery(oldAt(i, pending), 'pending');
  });
  inBatches(recent, (i) => {
    request(recentAt(i));
    run(recentAt(i), 'succeeded');
    delivery(recentAt(i), 'succeeded');
  });
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  flushToDisk(file);

  const kept = {
    request_log: recent,
    runs: pending + recent,
    run_actions: 2 * (pending + recent),
    deliveries: pending + recent,
    delivery_attempts: pending + recent,
    events: pending + recent,
  };
  return {
    kept,
    total: {
      request_log: plan.requests + recent,
      runs: oldRuns + kept.runs,
      run_actions: 2 * oldRuns + kept.run_actions,
      deliveries: oldDeliveries + kept.deliveries,
      delivery_attempts: oldDeliveries + kept.delivery_attempts,
      events: oldDeliveries + kept.events,
    },
  };
}

/**
 * Writes the file's dirty pages out now. Seeding runs with synchronous OFF; left to the
 * kernel, a gigabyte of them would be written out by the first fsync of the measured prune
 * (its first checkpoint), a stall the seeding caused and a running engine never has.
 */
export function flushToDisk(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Rows per table now, to check a prune against the plan. */
export function countRows(file: string): Record<SeededTable, number> {
  const db = new SQLite(file, { readonly: true });
  try {
    const count = (table: SeededTable) => Number(db.prepare(`select count(*) from ${table}`).pluck().get());
    return {
      request_log: count('request_log'),
      runs: count('runs'),
      run_actions: count('run_actions'),
      deliveries: count('deliveries'),
      delivery_attempts: count('delivery_attempts'),
      events: count('events'),
    };
  } finally {
    db.close();
  }
}
