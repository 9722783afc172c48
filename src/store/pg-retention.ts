// Retention on PostgreSQL: the same rules as on SQLite (prune-batches.ts): what is older
// than the retention goes, in batches of one short transaction each with a turn of the
// event loop between them, except a pending run or delivery, the request a pending run
// resumes from, each instance's newest failed runs (keepFailed) with their requests, and an
// event a delivery still refers to; a run's actions go with it, a
// delivery's attempts with it. Runs are walked in id order (ids begin with their
// millisecond), the rest by their time index. Space is PostgreSQL's
// to reuse (autovacuum); nothing is given back to the disk here.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import type { Pruned, Retention, RoundOptions } from './retention-repo.js';
import type { Reclaimed } from './space-reclaim.js';
import type { Tables } from './tables.js';

type Kind = keyof Pruned;
const KINDS: readonly Kind[] = ['requests', 'runs', 'deliveries', 'events'];

interface Cursor {
  at: number;
  id: string;
}
const FIRST: Cursor = { at: -1, id: '' };

interface Row {
  id: string;
  at: number;
  status: string | null;
}

/** Runs are walked by id, which is the order they were written in: a round stops at the first run not old enough. */
const IN_WRITTEN_ORDER: ReadonlySet<Kind> = new Set(['runs']);

export class PostgresRetention implements Retention {
  constructor(
    private readonly db: Kysely<Tables>,
    private readonly batchSize = 1_000,
  ) {}

  async prune(before: number, { signal, keepFailed = 0 }: RoundOptions = {}): Promise<Pruned> {
    const pruned: Pruned = { requests: 0, runs: 0, deliveries: 0, events: 0 };
    for (const kind of KINDS) {
      let after = FIRST;
      for (;;) {
        if (signal?.aborted) return pruned;
        const batch = await this.db.transaction().execute((trx) => this.batch(trx, kind, before, after, keepFailed));
        pruned[kind] += batch.deleted;
        await yieldToEventLoop();
        if (batch.done) break;
        after = batch.last;
      }
    }
    return pruned;
  }

  /** PostgreSQL reuses the space of deleted rows itself (autovacuum): nothing to give back here. */
  reclaimSpace(): Promise<Reclaimed> {
    return Promise.resolve({ freedPages: 0, freePages: 0, walTruncated: true });
  }

  private async batch(
    trx: Kysely<Tables>,
    kind: Kind,
    before: number,
    after: Cursor,
    keep: number,
  ): Promise<{ deleted: number; last: Cursor; done: boolean }> {
    const limit = this.batchSize;
    const { rows: selected } = await select(kind, before, after, limit, keep).execute(trx);
    const young = IN_WRITTEN_ORDER.has(kind) ? selected.findIndex((r) => r.at >= before) : -1;
    const old = young === -1 ? selected : selected.slice(0, young);
    const done = young !== -1 || selected.length < limit;
    const end = old.at(-1);
    const last = end ? { at: end.at, id: end.id } : after;
    const ids = old.filter((r) => r.status !== 'pending' && r.status !== 'kept').map((r) => r.id);
    if (ids.length === 0) return { deleted: 0, last, done: done || !end };
    const deleted = await remove(kind, ids).execute(trx);
    return { deleted: Number(deleted.numAffectedRows ?? 0), last, done };
  }
}

/** A failed run is 'kept' while fewer than `keep` failed runs of its instance are newer (runs_failed, a partial index). */
function keptStatus(keep: number) {
  return sql`case when runs.status = 'failed' and (select count(*) from (select 1 from runs f
      where f.status = 'failed' and f.instance_id = runs.instance_id and f.created_at > runs.created_at limit ${keep}) newer) < ${keep}
    then 'kept' else runs.status end`;
}

function select(kind: Kind, before: number, after: Cursor, limit: number, keep: number) {
  switch (kind) {
    case 'requests':
      return sql<Row>`select id, received_at as at, (select ${keptStatus(keep)} from runs where runs.id = request_log.run_id) as status
        from request_log where received_at < ${before} and (received_at, id) > (${after.at}, ${after.id})
        order by received_at, id limit ${limit}`;
    case 'runs':
      return sql<Row>`select id, created_at as at, ${keptStatus(keep)} as status from runs where id > ${after.id} order by id limit ${limit}`;
    case 'deliveries':
      return sql<Row>`select id, created_at as at, null as status from deliveries
        where created_at < ${before} and (created_at, id) > (${after.at}, ${after.id}) and status != 'pending'
        order by created_at, id limit ${limit}`;
    case 'events':
      return sql<Row>`select id, created_at as at, null as status from events
        where created_at < ${before} and (created_at, id) > (${after.at}, ${after.id})
          and not exists (select 1 from deliveries where deliveries.event_id = events.id)
        order by created_at, id limit ${limit}`;
  }
}

function remove(kind: Kind, ids: string[]) {
  switch (kind) {
    case 'requests':
      return sql`delete from request_log where id = any(${ids})`;
    case 'runs':
      return sql`with actions as (delete from run_actions where run_id = any(${ids})) delete from runs where id = any(${ids})`;
    case 'deliveries':
      return sql`with attempts as (delete from delivery_attempts where delivery_id = any(${ids}))
        delete from deliveries where id = any(${ids})`;
    case 'events':
      return sql`delete from events where id = any(${ids})`;
  }
}
