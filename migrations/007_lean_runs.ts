// Fewer writes per fire. A run's last action is recorded in the run's own row as it
// finishes (one update instead of an inserted action row and its index entry); only
// actions before the last, which a crash must not repeat, keep rows of their own. And
// the index that finds runs to resume holds pending runs only: a finished run leaves it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('last_action', 'text').execute();
  await db.schema.dropIndex('runs_status').execute();
  await sql`create index runs_pending on runs (created_at, id) where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('runs_pending').execute();
  await db.schema.createIndex('runs_status').on('runs').columns(['status', 'created_at']).execute();
  await db.schema.alterTable('runs').dropColumn('last_action').execute();
}
