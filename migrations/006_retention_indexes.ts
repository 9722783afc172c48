// The time columns retention prunes deliveries and events by, indexed, so that each small
// batch of deletes finds its oldest rows at once instead of scanning the table; and
// deliveries by event, so an event is known to be unreferenced without a scan of every
// delivery. The request log and runs are pruned in rowid order instead (prune-batches.ts):
// an index on their time would cost every fire another index entry.
import type { Kysely } from 'kysely';

const INDEXES: readonly [name: string, table: string, column: string][] = [
  ['deliveries_created', 'deliveries', 'created_at'],
  ['events_created', 'events', 'created_at'],
  ['deliveries_event', 'deliveries', 'event_id'],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, table, column] of INDEXES) await db.schema.createIndex(name).on(table).column(column).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name] of [...INDEXES].reverse()) await db.schema.dropIndex(name).execute();
}
