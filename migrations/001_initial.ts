// The engine core's tables: secrets, counters, the request log, runs and their actions.
import type { Kysely } from 'kysely';
import { bytesType, fractionType, sequenceKey } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('instance_secrets')
    .addColumn('instance_id', 'text', (c) => c.primaryKey())
    .addColumn('secret', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('instance_stats')
    .addColumn('instance_id', 'text', (c) => c.primaryKey())
    .addColumn('trigger_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_fired_at', 'bigint')
    .execute();
  await db.schema
    .createTable('request_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('headers', 'text', (c) => c.notNull())
    .addColumn('body', bytesType(db))
    .addColumn('body_size', 'integer', (c) => c.notNull())
    .addColumn('body_truncated', 'integer', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text')
    .addColumn('latency_ms', fractionType(db), (c) => c.notNull())
    .execute();
  await db.schema.createIndex('request_log_instance').on('request_log').columns(['instance_id', 'received_at']).execute();
  await db.schema
    .createTable('runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('trigger_id', 'text', (c) => c.notNull())
    .addColumn('system_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('error', 'text')
    .execute();
  // Unfinished runs are looked up at every start to resume them.
  await db.schema.createIndex('runs_status').on('runs').columns(['status', 'created_at']).execute();
  await db.schema
    .createTable('run_actions')
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint', (c) => c.notNull())
    .$call((table) => sequenceKey(db, table, 'seq'))
    .execute();
  await db.schema.createIndex('run_actions_run').on('run_actions').columns(['run_id', 'position']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['run_actions', 'runs', 'request_log', 'instance_stats', 'instance_secrets']) {
    await db.schema.dropTable(table).execute();
  }
}
