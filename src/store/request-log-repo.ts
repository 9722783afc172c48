// The request log: every inbound request, accepted or refused, with secrets already removed
// and its body whole (cut at log_body_limit only where it is shown). Rows are written as
// `request` writes through the store's commit.
import type { Kysely } from 'kysely';
import type { Tables } from './tables.js';
import type { RequestLogRow } from './writes.js';

export type { RequestLogRow } from './writes.js';

/** A logged request without its headers and body. */
export type RequestSummary = Pick<
  RequestLogRow,
  'id' | 'instance_id' | 'received_at' | 'method' | 'status' | 'outcome' | 'run_id' | 'latency_ms'
>;

export interface RequestLogFilter {
  instanceId?: string;
  outcome?: string;
  /** Received at or after this time (ms). */
  since?: number;
  limit?: number;
}

export class RequestLogRepo {
  constructor(private readonly db: Kysely<Tables>) {}

  /** One request's body and headers, as stored (a resumed run reads its body from here). */
  async stored(id: string): Promise<Pick<RequestLogRow, 'body' | 'headers'> | undefined> {
    return this.db.selectFrom('request_log').select(['body', 'headers']).where('id', '=', id).executeTakeFirst();
  }

  async get(id: string): Promise<RequestLogRow | undefined> {
    return this.db.selectFrom('request_log').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Received at or after `ms` (and after `after`, the last row of a full page), oldest first,
   * without headers or body: the admin stream's cursor.
   */
  async since(ms: number, limit: number, after?: { at: number; id: string }): Promise<RequestSummary[]> {
    let query = this.db
      .selectFrom('request_log')
      .select(['id', 'instance_id', 'received_at', 'method', 'status', 'outcome', 'run_id', 'latency_ms'])
      .where('received_at', '>=', ms);
    if (after)
      query = query.where((eb) =>
        eb.or([eb('received_at', '>', after.at), eb.and([eb('received_at', '=', after.at), eb('id', '>', after.id)])]),
      );
    return query.orderBy('received_at').orderBy('id').limit(limit).execute();
  }

  /** Newest first. */
  async list(filter: RequestLogFilter = {}): Promise<RequestLogRow[]> {
    let query = this.db.selectFrom('request_log').selectAll();
    if (filter.instanceId) query = query.where('instance_id', '=', filter.instanceId);
    if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
    if (filter.since !== undefined) query = query.where('received_at', '>=', filter.since);
    return query
      .orderBy('received_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 50)
      .execute();
  }
}
