// The request log: every inbound request, accepted or refused, with secrets already removed.
// Rows are written as `request` writes through the store's commit.
import type { Kysely } from 'kysely';
import type { Tables } from './tables.js';
import type { RequestLogRow } from './writes.js';

export type { RequestLogRow } from './writes.js';

export interface RequestLogFilter {
  instanceId?: string;
  outcome?: string;
  limit?: number;
}

export class RequestLogRepo {
  constructor(private readonly db: Kysely<Tables>) {}

  /** Newest first. */
  async list(filter: RequestLogFilter = {}): Promise<RequestLogRow[]> {
    let query = this.db.selectFrom('request_log').selectAll();
    if (filter.instanceId) query = query.where('instance_id', '=', filter.instanceId);
    if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
    return query
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 50)
      .execute();
  }
}
