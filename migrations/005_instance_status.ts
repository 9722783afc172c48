// What `switchboard instances` shows of each instance beside its fire count: failed actions,
// comparisons that could not be made, and whether its conditions held when last evaluated.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('instance_stats')
    .addColumn('action_errors', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema
    .alterTable('instance_stats')
    .addColumn('comparison_errors', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  // 1 or 0 once evaluated; null for an instance without conditions, or not evaluated yet.
  await db.schema.alterTable('instance_stats').addColumn('triggered', 'integer').execute();
  await db.schema.alterTable('instance_stats').addColumn('triggered_at', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['triggered_at', 'triggered', 'comparison_errors', 'action_errors']) {
    await db.schema.alterTable('instance_stats').dropColumn(column).execute();
  }
}
