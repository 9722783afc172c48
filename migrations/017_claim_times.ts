// When each schedule claim was made. A claim was dropped once its due time was a day older
// than a newer claim's, which held while claims came in time order; catching up with
// `misfire: all` claims times days apart in one go, so the newest claim dropped the older
// ones it had just made, and a second node catching up alongside could claim them again.
// Claims are now kept a day from when they were made. Old rows have none and age as before.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('schedule_claims').addColumn('claimed_at', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('schedule_claims').dropColumn('claimed_at').execute();
}
