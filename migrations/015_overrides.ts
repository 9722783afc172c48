// Runtime changes an operator makes on top of the YAML (an instance disabled from the admin
// API or the CLI): one row per changed field, kept across reloads and restarts until
// cleared, with when and by whom it was set. Shared by every node of a database.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('overrides')
    .addColumn('target', 'text', (c) => c.notNull())
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('set_at', 'bigint', (c) => c.notNull())
    .addColumn('set_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('overrides_pk', ['target', 'id', 'field'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('overrides').execute();
}
