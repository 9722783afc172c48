// The prune as it was before batching, kept as the retention bench's reference: every old
// row of every kind deleted in one transaction on the store's read connection.
import type { Kysely } from 'kysely';
import type { Pruned } from '../../src/store/retention-repo.js';
import type { Tables } from '../../src/store/tables.js';

export async function pruneInOneTransaction(db: Kysely<Tables>, before: number): Promise<Pruned> {
  return db.transaction().execute(async (tx) => {
    const requests = await tx.deleteFrom('request_log').where('received_at', '<', before).executeTakeFirst();
    const oldRuns = tx.selectFrom('runs').select('id').where('status', '!=', 'pending').where('created_at', '<', before);
    await tx.deleteFrom('run_actions').where('run_id', 'in', oldRuns).execute();
    const runs = await tx.deleteFrom('runs').where('status', '!=', 'pending').where('created_at', '<', before).executeTakeFirst();
    const oldDeliveries = tx
      .selectFrom('deliveries')
      .select('id')
      .where('status', '!=', 'pending')
      .where('created_at', '<', before);
    await tx.deleteFrom('delivery_attempts').where('delivery_id', 'in', oldDeliveries).execute();
    const deliveries = await tx
      .deleteFrom('deliveries')
      .where('status', '!=', 'pending')
      .where('created_at', '<', before)
      .executeTakeFirst();
    const events = await tx
      .deleteFrom('events')
      .where('created_at', '<', before)
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('deliveries').select('deliveries.id').whereRef('deliveries.event_id', '=', 'events.id'))),
      )
      .executeTakeFirst();
    return {
      requests: Number(requests.numDeletedRows),
      runs: Number(runs.numDeletedRows),
      deliveries: Number(deliveries.numDeletedRows),
      events: Number(events.numDeletedRows),
    };
  });
}
