// The request log: every inbound request, accepted or refused, with secrets already removed.
import type { Kysely, Transaction } from 'kysely';
import type { RequestLogTable, Tables } from './tables.js';

export type RequestLogEntry = RequestLogTable;

export interface RequestLogFilter {
  instanceId?: string;
  outcome?: string;
  limit?: number;
}

export class RequestLogRepo {
  constructor(private readonly db: Kysely<Tables>) {}

  async insert(entry: RequestLogEntry, tx: Kysely<Tables> | Transaction<Tables> = this.db): Promise<void> {
    await tx.insertInto('request_log').values(entry).execute();
  }

  /** Newest first. */
  async list(filter: RequestLogFilter = {}): Promise<RequestLogEntry[]> {
    let query = this.db.selectFrom('request_log').selectAll();
    if (filter.instanceId) query = query.where('instance_id', '=', filter.instanceId);
    if (filter.outcome) query = query.where('outcome', '=', filter.outcome);
    return query.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(filter.limit ?? 50).execute();
  }

  async get(id: string): Promise<RequestLogEntry | undefined> {
    return this.db.selectFrom('request_log').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
