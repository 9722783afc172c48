// PostgreSQL has no rowid: retention cannot walk the request log in the order it was
// written, as it does on SQLite, so there it walks it by time through an index of its own.
// SQLite needs none (one index entry less per fire): nothing changes there.
import type { Kysely } from 'kysely';
import { isPostgres } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db))
    await db.schema.createIndex('request_log_received').on('request_log').columns(['received_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) await db.schema.dropIndex('request_log_received').execute();
}
