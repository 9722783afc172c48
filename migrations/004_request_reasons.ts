// Why a request was refused and who sent it, kept with each request-log row; and a
// table the readiness probe writes into (and rolls back) to learn whether a write can start.
import type { Kysely } from 'kysely';
import { bytesType } from './dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('request_log').addColumn('reason', 'text').execute();
  await db.schema.alterTable('request_log').addColumn('client_ip', 'text').execute();
  await db.schema.createTable('store_probe').addColumn('pad', bytesType(db)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('store_probe').execute();
  await db.schema.alterTable('request_log').dropColumn('client_ip').execute();
  await db.schema.alterTable('request_log').dropColumn('reason').execute();
}
