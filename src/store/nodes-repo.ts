// The engine nodes that have run on this database (written as `node_seen` and `node_stopped`).
import type { Kysely } from 'kysely';
import type { Tables } from './tables.js';
import type { NodeRow } from './writes.js';

export class NodesRepo {
  constructor(private readonly db: Kysely<Tables>) {}

  /** Every node, the most recently seen first. */
  async all(): Promise<NodeRow[]> {
    const rows = await this.db.selectFrom('nodes').selectAll().orderBy('seen_at', 'desc').orderBy('id').execute();
    return rows.map((r) => ({
      ...r,
      started_at: Number(r.started_at),
      seen_at: Number(r.seen_at),
      stopped_at: r.stopped_at === null ? null : Number(r.stopped_at),
    }));
  }
}
