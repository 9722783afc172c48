// What each node's modules look like (status, error, connection, settings with secrets
// redacted), written with its heartbeat as JSON, so `switchboard modules` reads every node's
// from the store without asking a running engine.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('nodes').addColumn('modules', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('nodes').dropColumn('modules').execute();
}
