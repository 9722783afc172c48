// Modules run on one node each when several share the database: a lease per module names
// the node that runs it, until when, and its epoch (raised each time the module changes
// hands, so a node can tell it lost a module it thought it held). `cluster_settings` keeps
// what every node must agree on, such as the secret nodes forward module calls with.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('module_leases')
    .addColumn('module', 'text', (c) => c.primaryKey())
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('epoch', 'integer', (c) => c.notNull())
    .addColumn('lease_until', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('cluster_settings')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('cluster_settings').execute();
  await db.schema.dropTable('module_leases').execute();
}
