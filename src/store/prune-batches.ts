// One batch of retention's deletes: the oldest rows of one kind (at most `limit`), with the
// rows that belong to them, in one short transaction. Small batches keep each transaction,
// and so each stretch of the event loop spent in SQLite and each append to the WAL, small.
// The rules are the store's: a pending run or delivery is never deleted whatever its age,
// nor the request a pending run resumes from, nor one of an instance's newest failed runs
// (as many as `keep` says) or its request; a run's actions go with it, a delivery's attempts
// with it, and an event only once no delivery refers to it.
import type SQLite from 'better-sqlite3';

export type PruneKind = 'requests' | 'runs' | 'deliveries' | 'events';

/** In the order they are pruned: deliveries before events, so an event's last delivery goes first. */
export const PRUNE_KINDS: readonly PruneKind[] = ['requests', 'runs', 'deliveries', 'events'];

/**
 * Where the previous batch of a round ended, by (time, key): the next one starts after it,
 * so rows the rules keep (an old pending run) are passed over once, not in every batch.
 * The key is the rowid, or for runs (a table without rowids) the id.
 */
export interface PruneCursor {
  at: number;
  key: number | string;
}

// 0 is before every rowid and, in SQLite's order (numbers before text), before every id.
export const FIRST: PruneCursor = { at: -Infinity, key: 0 };

export interface PruneBatch {
  deleted: number;
  /** Where the next batch starts: after the last row looked at. */
  last: PruneCursor;
  /** Nothing old enough is left after this batch: the round of this kind ends. */
  done: boolean;
}

interface Selected {
  /** The row's key: its rowid, or a run's id. */
  rid: number | string;
  at: number;
  id: string;
  status: string | null;
}

// The request log is walked in rowid order, which is the order it was written in and so,
// near enough, its time order; runs, stored by id (migration 008), in id order, which is
// time order as ids begin with their millisecond. Neither needs an index on its time
// column, which would cost every fire one more index entry. A round stops at the first row not old enough;
// an older row written just after it (a few milliseconds out of order) goes in the next round.
// Deliveries and events are walked by their time column's index from the cursor; `(at, rowid)
// > (…)` is a row value SQLite answers from that index (the rowid ends every index).
// A failed run is 'kept' while fewer than @keep failed runs of its instance are newer: counted
// in runs_failed, the partial index of failed runs alone (a succeeded run is not in it).
const KEPT_STATUS = `case when runs.status = 'failed' and (select count(*) from (select 1 from runs f
      where f.status = 'failed' and f.instance_id = runs.instance_id and f.created_at > runs.created_at limit @keep)) < @keep
    then 'kept' else runs.status end`;

const SELECT: Record<PruneKind, string> = {
  // A request whose run is pending (or kept) stays: the run resumes from its body, a trace
  // shows it. Its run's status is looked up by the run's id (the runs table's key), one probe per row.
  requests: `select rowid as rid, received_at as at, id, (select ${KEPT_STATUS} from runs where runs.id = request_log.run_id) as status
    from request_log where rowid > @key order by rowid limit @limit`,
  runs: `select id as rid, created_at as at, id, ${KEPT_STATUS} as status from runs
    where id > @key order by id limit @limit`,
  deliveries: `select rowid as rid, created_at as at, id, null as status from deliveries
    where created_at < @before and (created_at, rowid) > (@at, @key) and status != 'pending'
    order by created_at, rowid limit @limit`,
  events: `select rowid as rid, created_at as at, id, null as status from events
    where created_at < @before and (created_at, rowid) > (@at, @key)
      and not exists (select 1 from deliveries where deliveries.event_id = events.id)
    order by created_at, rowid limit @limit`,
};

/** The kinds walked in the order they were written (see SELECT). */
const IN_WRITTEN_ORDER: ReadonlySet<PruneKind> = new Set(['requests', 'runs']);

const DELETE: Record<PruneKind, string> = {
  requests: 'delete from request_log where rowid in (select value from json_each(@keys))',
  runs: 'delete from runs where id in (select value from json_each(@keys))',
  deliveries: 'delete from deliveries where rowid in (select value from json_each(@keys))',
  events: 'delete from events where rowid in (select value from json_each(@keys))',
};

/** What goes with each row, by its id. */
const DEPENDENTS: Partial<Record<PruneKind, string>> = {
  runs: 'delete from run_actions where run_id in (select value from json_each(@ids))',
  deliveries: 'delete from delivery_attempts where delivery_id in (select value from json_each(@ids))',
};

interface Statements {
  select: SQLite.Statement<{ before: number; at: number; key: number | string; limit: number; keep: number }, Selected>;
  delete: SQLite.Statement<{ keys: string }>;
  dependents: SQLite.Statement<{ ids: string }> | undefined;
}

export class PruneBatches {
  private readonly statements: Record<PruneKind, Statements>;

  constructor(private readonly sqlite: SQLite.Database) {
    const prepare = (kind: PruneKind): Statements => {
      const dependents = DEPENDENTS[kind];
      return {
        select: sqlite.prepare(SELECT[kind]),
        delete: sqlite.prepare(DELETE[kind]),
        dependents: dependents === undefined ? undefined : sqlite.prepare(dependents),
      };
    };
    this.statements = {
      requests: prepare('requests'),
      runs: prepare('runs'),
      deliveries: prepare('deliveries'),
      events: prepare('events'),
    };
  }

  /**
   * Deletes up to `limit` rows of `kind` older than `before` and after `after`, oldest first,
   * in one immediate transaction. Throws SQLITE_BUSY at once when another connection holds
   * the write lock (nothing is deleted then).
   */
  delete(kind: PruneKind, before: number, after: PruneCursor, limit: number, keep = 0): PruneBatch {
    const s = this.statements[kind];
    const params = { before, at: after.at, key: after.key, limit, keep };
    return this.sqlite
      .transaction((): PruneBatch => {
        const selected = s.select.all(params);
        // In written order the batch ends before the first row not old enough, and so does the round.
        const young = IN_WRITTEN_ORDER.has(kind) ? selected.findIndex((r) => r.at >= before) : -1;
        const old = young === -1 ? selected : selected.slice(0, young);
        const done = young !== -1 || selected.length < limit;
        const end = old.at(-1);
        const last = end ? { at: end.at, key: end.rid } : after;
        // Old pending and kept runs and their requests are passed over (the time-ordered selects leave them out already).
        const rows = old.filter((r) => r.status !== 'pending' && r.status !== 'kept');
        if (rows.length === 0) return { deleted: 0, last, done: done || !end };
        s.dependents?.run({ ids: JSON.stringify(rows.map((r) => r.id)) });
        const { changes } = s.delete.run({ keys: JSON.stringify(rows.map((r) => r.rid)) });
        return { deleted: changes, last, done };
      })
      .immediate();
  }
}
