// Module state that survives a restart: each module's last state (the keys within the bound
// events use), written when it changes and read back before conditions are evaluated at
// start, so a compare trigger that held before a restart is not a new edge after it.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('module_state')
    .addColumn('system_id', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    // Restored only into a module of the same driver.
    .addColumn('driver', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('module_state_pk', ['system_id', 'address'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('module_state').execute();
}
