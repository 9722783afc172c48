// What issue 14's guards decide together, kept where every node sees it: a sender's
// idempotency keys (each held for its window by the run its first request fired) and each
// rate limit's theoretical arrival time (GCRA, in microseconds), with the last request's wait (RETURNING reads
// it back, as the row's old values cannot be). Per-key debounce windows share
// debounce_windows (keyed `INSTANCE\nVALUE`). Expired rows are swept; an absent row and an
// expired one decide alike, so a sweep never changes an answer.
import type { Kysely } from 'kysely';
import { keyedByPrimaryKey } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Every fire of a trigger with idempotency adds a key: one b-tree for it, not two.
  await keyedByPrimaryKey(
    db,
    db.schema
      .createTable('idempotency_keys')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull()),
  ).execute();
  await db.schema.createIndex('idempotency_keys_expiry').on('idempotency_keys').column('expires_at').execute();
  await keyedByPrimaryKey(
    db,
    db.schema
      .createTable('rate_limits')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('tat', 'bigint', (c) => c.notNull())
      .addColumn('retry_us', 'bigint', (c) => c.notNull()),
  ).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limits').execute();
  await db.schema.dropTable('idempotency_keys').execute();
}
