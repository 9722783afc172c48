// What several nodes must decide together, kept where they all see it: each debounce
// window (one row per instance, updated in the commit that fires or refuses a request) and
// each schedule time claimed by the node that fires it (the primary key lets one node
// claim a time; the rest find it taken). Each claim deletes its schedule's claims older
// than a day (a node's clock may lag another's by seconds, never by a day).
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('debounce_windows')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('last_at', 'bigint', (c) => c.notNull())
    // The last request's decision: RETURNING reads it back, as the row's old values cannot be.
    .addColumn('admitted', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('schedule_claims')
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('condition', 'integer', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('schedule_claims_pk', ['instance_id', 'condition', 'due_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('schedule_claims').execute();
  await db.schema.dropTable('debounce_windows').execute();
}
