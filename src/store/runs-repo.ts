// Runs of fired triggers and the outcome of each action, for reading. A fire writes its
// run (with its request-log row, counters and events) as one unit through the store's
// commit; actions and the run's end follow as units of their own.
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { unpackAction } from './packed-action.js';
import type { Tables } from './tables.js';
import type { RunActionRow, RunRow } from './writes.js';

export type { RunActionRow, RunRow } from './writes.js';

export interface InstanceStats {
  instance_id: string;
  trigger_count: number;
  last_fired_at: number | null;
  action_errors: number;
  comparison_errors: number;
  /** Whether its conditions held when last evaluated; null without conditions or not evaluated yet. */
  triggered: boolean | null;
  triggered_at: number | null;
}

/** Every column of a run but last_action, which `actions` reads. */
const RUN_COLUMNS = [
  'id',
  'instance_id',
  'trigger_id',
  'system_id',
  'request_id',
  'created_at',
  'status',
  'input',
  'finished_at',
  'error',
  'trace',
] as const satisfies readonly (keyof RunRow)[];

export interface RunFilter {
  instanceId?: string;
  triggerId?: string;
  status?: RunRow['status'];
  /** Created at or after this time (ms). */
  since?: number;
  limit?: number;
}

export class RunsRepo {
  constructor(private readonly db: Kysely<Tables>) {}

  /**
   * Takes over, for `owner`, the runs accepted but not finished whose node is not live (it
   * stopped, or wrote no heartbeat since `silentBefore`; Infinity: every other node, as on
   * SQLite, where one engine has the file), oldest first. Two nodes taking over at once
   * take each run once (PostgreSQL skips the rows another is taking). `takenOver` hears
   * whose each was.
   */
  async takeOver(
    owner: string,
    silentBefore: number,
    takenOver?: (taken: { runId: string; from: string | null }[]) => void,
  ): Promise<RunRow[]> {
    const silent = Number.isFinite(silentBefore) ? silentBefore : Number.MAX_SAFE_INTEGER;
    const orphaned = sql`status = 'pending' and (node_id is null or (node_id <> ${owner}
      and node_id not in (select id from nodes where stopped_at is null and seen_at >= ${silent})))`;
    let taken: (RunRow & { previous: string | null })[];
    if (this.db.getExecutor().adapter instanceof PostgresAdapter) {
      const { rows } = await sql<RunRow & { previous: string | null }>`
        with picked as (select id, node_id as previous from runs where ${orphaned} for update skip locked)
        update runs r set node_id = ${owner} from picked where r.id = picked.id
        returning ${sql.join(RUN_COLUMNS.map((c) => sql.ref(`r.${c}`)))}, picked.previous`.execute(this.db);
      taken = rows;
    } else {
      // One engine per SQLite file: nobody else takes them meanwhile.
      const { rows } = await sql<RunRow & { previous: string | null }>`
        select ${sql.join(RUN_COLUMNS.map((c) => sql.ref(c)))}, node_id as previous from runs where ${orphaned}`.execute(this.db);
      if (rows.length > 0)
        await this.db
          .updateTable('runs')
          .set({ node_id: owner })
          .where(
            'id',
            'in',
            rows.map((r) => r.id),
          )
          .execute();
      taken = rows;
    }
    const fromOthers = taken.filter((r) => r.previous !== null);
    if (fromOthers.length > 0) takenOver?.(fromOthers.map((r) => ({ runId: r.id, from: r.previous })));
    for (const row of taken) delete (row as { previous?: string | null }).previous;
    return taken.sort((a, b) => a.created_at - b.created_at || (a.id < b.id ? -1 : 1));
  }

  /** Runs accepted but not finished, oldest first: resumed after a restart. */
  async unfinished(): Promise<RunRow[]> {
    // The literal lets SQLite use the partial index of pending runs (a bound value would not).
    return this.db
      .selectFrom('runs')
      .select(RUN_COLUMNS)
      .where(sql<boolean>`status = 'pending'`)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  }

  /** Newest first. */
  async list(filter: RunFilter = {}): Promise<RunRow[]> {
    let query = this.db.selectFrom('runs').select(RUN_COLUMNS);
    if (filter.instanceId) query = query.where('instance_id', '=', filter.instanceId);
    if (filter.triggerId) query = query.where('trigger_id', '=', filter.triggerId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.since !== undefined) query = query.where('created_at', '>=', filter.since);
    return query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 50)
      .execute();
  }

  /**
   * Runs whose id is `fromId` or later, in id order (the order they were made in): the admin
   * stream's cursor, read by the table's key (runs have no index on a time column: every fire
   * would pay for one).
   */
  async fromId(fromId: string, limit: number): Promise<RunRow[]> {
    return this.db.selectFrom('runs').select(RUN_COLUMNS).where('id', '>=', fromId).orderBy('id').limit(limit).execute();
  }

  /** Finished after `ms`, among those whose id is `fromId` or later (a bounded look back by the key). */
  async finishedSince(ms: number, fromId: string, limit: number): Promise<RunRow[]> {
    return this.db
      .selectFrom('runs')
      .select(RUN_COLUMNS)
      .where('id', '>=', fromId)
      .where('finished_at', '>', ms)
      .orderBy('finished_at')
      .limit(limit)
      .execute();
  }

  async getMany(ids: readonly string[]): Promise<RunRow[]> {
    if (ids.length === 0) return [];
    return this.db.selectFrom('runs').select(RUN_COLUMNS).where('id', 'in', ids).execute();
  }

  async get(id: string): Promise<RunRow | undefined> {
    return this.db.selectFrom('runs').select(RUN_COLUMNS).where('id', '=', id).executeTakeFirst();
  }

  /** Its actions' outcomes in the order they were recorded, the last one (kept in the run's row) included. */
  async actions(runId: string): Promise<RunActionRow[]> {
    const rows = await this.db
      .selectFrom('run_actions')
      .select(['run_id', 'position', 'kind', 'target', 'status', 'error', 'started_at', 'finished_at', 'detail'])
      .where('run_id', '=', runId)
      .orderBy('seq')
      .execute();
    const run = await this.db
      .selectFrom('runs')
      .select(['last_action', 'finished_at'])
      .where('id', '=', runId)
      .executeTakeFirst();
    return run?.last_action && run.finished_at !== null
      ? [...rows, unpackAction(runId, Number(run.finished_at), run.last_action)]
      : rows;
  }

  async stats(instanceId: string): Promise<InstanceStats | undefined> {
    const row = await this.db.selectFrom('instance_stats').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();
    return row && toStats(row);
  }

  /** Every instance's counters, by instance id. */
  async allStats(): Promise<Map<string, InstanceStats>> {
    const rows = await this.db.selectFrom('instance_stats').selectAll().execute();
    return new Map(rows.map((row) => [row.instance_id, toStats(row)]));
  }
}

type StatsRow = Omit<InstanceStats, 'triggered'> & { triggered: number | null };

function toStats(row: StatsRow): InstanceStats {
  const when = (value: number | null) => (value === null ? null : Number(value));
  return {
    instance_id: row.instance_id,
    trigger_count: Number(row.trigger_count),
    last_fired_at: when(row.last_fired_at),
    action_errors: Number(row.action_errors),
    comparison_errors: Number(row.comparison_errors),
    triggered: row.triggered === null ? null : row.triggered === 1,
    triggered_at: when(row.triggered_at),
  };
}
