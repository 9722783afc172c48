// Runs of fired triggers and the outcome of each action. A fire is committed with its
// request-log row and the instance's counters in one transaction; the writes of every
// fire go through prepared statements and group commit, as they happen per request.
import type { Kysely } from 'kysely';
import type { Database } from './database.js';
import { INSERT_REQUEST_SQL, type RequestLogEntry } from './request-log-repo.js';
import type { RunActionsTable, RunsTable, Tables } from './tables.js';

export type RunRow = RunsTable;
export type RunActionRow = Omit<RunActionsTable, 'seq'>;

export interface InstanceStats {
  instance_id: string;
  trigger_count: number;
  last_fired_at: number | null;
}

const INSERT_RUN_SQL = `insert into runs (id, instance_id, trigger_id, system_id, request_id, created_at, status, input, finished_at, error)
  values (@id, @instance_id, @trigger_id, @system_id, @request_id, @created_at, @status, @input, @finished_at, @error)`;
const COUNT_FIRE_SQL = `insert into instance_stats (instance_id, trigger_count, last_fired_at) values (@instance_id, 1, @created_at)
  on conflict (instance_id) do update set trigger_count = trigger_count + 1, last_fired_at = excluded.last_fired_at`;
const INSERT_ACTION_SQL = `insert into run_actions (run_id, position, kind, target, status, error, started_at, finished_at)
  values (@run_id, @position, @kind, @target, @status, @error, @started_at, @finished_at)`;
const FINISH_RUN_SQL = `update runs set status = @status, finished_at = @finished_at, error = @error where id = @id`;

export class RunsRepo {
  private readonly db: Kysely<Tables>;
  private readonly statements;

  constructor(private readonly database: Database) {
    this.db = database.db;
    const { sqlite } = database;
    this.statements = {
      insertRequest: sqlite.prepare<RequestLogEntry>(INSERT_REQUEST_SQL),
      insertRun: sqlite.prepare<RunRow>(INSERT_RUN_SQL),
      countFire: sqlite.prepare<{ instance_id: string; created_at: number }>(COUNT_FIRE_SQL),
      insertAction: sqlite.prepare<RunActionRow>(INSERT_ACTION_SQL),
      finishRun: sqlite.prepare<{ id: string; status: string; finished_at: number; error: string | null }>(FINISH_RUN_SQL),
    };
  }

  /** Records the request (if a request caused it), the new pending run, the instance's counters and `alsoWrite` (its events), atomically; resolves once committed. */
  acceptFire(request: RequestLogEntry | undefined, run: RunRow, alsoWrite?: () => void): Promise<void> {
    const { insertRequest, insertRun, countFire } = this.statements;
    return this.database.batcher.write(() => {
      if (request) insertRequest.run(request);
      insertRun.run(run);
      countFire.run({ instance_id: run.instance_id, created_at: run.created_at });
      alsoWrite?.();
    });
  }

  /** Records an action's outcome and, for the run's last action, the run's end in the same commit. */
  recordAction(
    action: RunActionRow,
    end?: { status: 'succeeded' | 'failed'; finishedAt: number; error: string | null },
  ): Promise<void> {
    const { insertAction, finishRun } = this.statements;
    return this.database.batcher.write(() => {
      insertAction.run(action);
      if (end) finishRun.run({ id: action.run_id, status: end.status, finished_at: end.finishedAt, error: end.error });
    });
  }

  finish(id: string, status: 'succeeded' | 'failed', finishedAt: number, error: string | null): Promise<void> {
    return this.database.batcher.write(() => this.statements.finishRun.run({ id, status, finished_at: finishedAt, error }));
  }

  /** Runs accepted but not finished, oldest first: resumed after a restart. */
  async unfinished(): Promise<RunRow[]> {
    return this.db.selectFrom('runs').selectAll().where('status', '=', 'pending').orderBy('created_at').orderBy('id').execute();
  }

  /** Newest first. */
  async list(filter: { instanceId?: string; status?: RunRow['status']; limit?: number } = {}): Promise<RunRow[]> {
    let query = this.db.selectFrom('runs').selectAll();
    if (filter.instanceId) query = query.where('instance_id', '=', filter.instanceId);
    if (filter.status) query = query.where('status', '=', filter.status);
    return query
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(filter.limit ?? 50)
      .execute();
  }

  async get(id: string): Promise<RunRow | undefined> {
    return this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async actions(runId: string): Promise<RunActionRow[]> {
    return this.db
      .selectFrom('run_actions')
      .select(['run_id', 'position', 'kind', 'target', 'status', 'error', 'started_at', 'finished_at'])
      .where('run_id', '=', runId)
      .orderBy('seq')
      .execute();
  }

  async stats(instanceId: string): Promise<InstanceStats | undefined> {
    const row = await this.db.selectFrom('instance_stats').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();
    return row && toStats(row);
  }
}

function toStats(row: InstanceStats): InstanceStats {
  return {
    instance_id: row.instance_id,
    trigger_count: Number(row.trigger_count),
    last_fired_at: row.last_fired_at === null ? null : Number(row.last_fired_at),
  };
}
