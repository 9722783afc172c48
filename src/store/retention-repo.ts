// Deletes what is older than the retention: the request log, finished runs with their
// actions, and finished deliveries with their attempts and events. Pending runs and
// deliveries are never deleted, whatever their age.
import type { Kysely } from 'kysely';
import type { Tables } from './tables.js';

export interface Pruned {
  requests: number;
  runs: number;
  deliveries: number;
  events: number;
}

export class RetentionRepo {
  constructor(private readonly db: Kysely<Tables>) {}

  async prune(before: number): Promise<Pruned> {
    return this.db.transaction().execute(async (tx) => {
      const requests = await tx.deleteFrom('request_log').where('received_at', '<', before).executeTakeFirst();
      const oldRuns = tx.selectFrom('runs').select('id').where('status', '!=', 'pending').where('created_at', '<', before);
      await tx.deleteFrom('run_actions').where('run_id', 'in', oldRuns).execute();
      const runs = await tx
        .deleteFrom('runs')
        .where('status', '!=', 'pending')
        .where('created_at', '<', before)
        .executeTakeFirst();
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
      // An event goes once none of its deliveries is left.
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
}
