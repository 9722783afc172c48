// When each schedule condition last fired, so a missed fire can be caught up after a restart.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('schedule_fires')
    .addColumn('instance_id', 'text', (c) => c.notNull())
    .addColumn('condition', 'integer', (c) => c.notNull())
    .addColumn('last_fired_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('schedule_fires_pk', ['instance_id', 'condition'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('schedule_fires').execute();
}
