// Who holds what when several nodes share the database. A delivery being attempted is
// leased to one node until a time a few seconds past its attempt's deadline (another node
// takes it once the lease runs out; its attempt number fences a late record). A run
// belongs to the node that fired it, which keeps it by its heartbeat; a run of a node
// that stopped or went silent is taken over by another.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('deliveries').addColumn('lease_owner', 'text').execute();
  await db.schema.alterTable('deliveries').addColumn('lease_until', 'bigint').execute();
  await db.schema.alterTable('runs').addColumn('node_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').dropColumn('node_id').execute();
  await db.schema.alterTable('deliveries').dropColumn('lease_until').execute();
  await db.schema.alterTable('deliveries').dropColumn('lease_owner').execute();
}
