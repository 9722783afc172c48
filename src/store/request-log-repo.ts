// The request log: every inbound request, accepted or refused, with secrets already removed.
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import type { RequestLogTable, Tables } from './tables.js';

export type RequestLogEntry = RequestLogTable;

export interface RequestLogFilter {
  instanceId?: string;
  outcome?: string;
  limit?: number;
}

// Written on every request, so it is a statement prepared once and group-committed
// (Kysely would compile and prepare it again each time).
export const INSERT_REQUEST_SQL = `insert into request_log
  (id, instance_id, received_at, method, path, headers, body, body_size, body_truncated, status, outcome, run_id, latency_ms)
  values (@id, @instance_id, @received_at, @method, @path, @headers, @body, @body_size, @body_truncated, @status, @outcome, @run_id, @latency_ms)`;

export class RequestLogRepo {
  private readonly db: Kysely<Tables>;
  private readonly insertStatement;

  constructor(private readonly database: Database) {
    this.db = database.db;
    this.insertStatement = database.sqlite.prepare<RequestLogEntry>(INSERT_REQUEST_SQL);
  }

  /** Resolves once the row is committed. */
  insert(entry: RequestLogEntry): Promise<void> {
    return this.database.batcher.write(() => this.insertStatement.run(entry));
  }

  /** Newest first. */
  async list(filter: RequestLogFilter = {}): Promise<RequestLogEntry[]> {
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
