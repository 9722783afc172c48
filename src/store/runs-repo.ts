// Runs of fired triggers and the outcome of each action; a fire is committed with
// its request-log row and the instance's counters in one transaction.
import { sql, type Kysely } from 'kysely';
import type { RequestLogEntry } from './request-log-repo.js';
import type { RunActionsTable, RunsTable, Tables } from './tables.js';

export type RunRow = RunsTable;
export type RunActionRow = Omit<RunActionsTable, 'seq'>;

export interface InstanceStats {
  instance_id: string;
  trigger_count: number;
  last_fired_at: number | null;
}

export class RunsRepo {
  constructor(private readonly db: Kysely<Tables>) {}

  /** Records the request, the new pending run and the instance's counters, atomically. */
  async acceptFire(request: RequestLogEntry, run: RunRow): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await tx.insertInto('request_log').values(request).execute();
      await tx.insertInto('runs').values(run).execute();
      await tx
        .insertInto('instance_stats')
        .values({ instance_id: run.instance_id, trigger_count: 1, last_fired_at: run.created_at })
        .onConflict((oc) => oc.column('instance_id').doUpdateSet({ trigger_count: sql`instance_stats.trigger_count + 1`, last_fired_at: run.created_at }))
        .execute();
    });
  }

  /** Runs accepted but not finished, oldest first: resumed after a restart. */
  async unfinished(): Promise<RunRow[]> {
    return this.db.selectFrom('runs').selectAll().where('status', 'in', ['pending', 'running']).orderBy('created_at').orderBy('id').execute();
  }

  async get(id: string): Promise<RunRow | undefined> {
    return this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async markRunning(id: string): Promise<void> {
    await this.db.updateTable('runs').set({ status: 'running' }).where('id', '=', id).execute();
  }

  async recordAction(action: RunActionRow): Promise<void> {
    await this.db.insertInto('run_actions').values(action).execute();
  }

  async actions(runId: string): Promise<RunActionRow[]> {
    return this.db.selectFrom('run_actions').select(['run_id', 'position', 'kind', 'target', 'status', 'error', 'started_at', 'finished_at']).where('run_id', '=', runId).orderBy('seq').execute();
  }

  async finish(id: string, status: 'succeeded' | 'failed', finishedAt: number, error: string | null): Promise<void> {
    await this.db.updateTable('runs').set({ status, finished_at: finishedAt, error }).where('id', '=', id).execute();
  }

  async stats(instanceId: string): Promise<InstanceStats | undefined> {
    const row = await this.db.selectFrom('instance_stats').selectAll().where('instance_id', '=', instanceId).executeTakeFirst();
    return row && { ...row, trigger_count: Number(row.trigger_count), last_fired_at: row.last_fired_at === null ? null : Number(row.last_fired_at) };
  }

  async allStats(): Promise<InstanceStats[]> {
    const rows = await this.db.selectFrom('instance_stats').selectAll().execute();
    return rows.map((row) => ({ ...row, trigger_count: Number(row.trigger_count), last_fired_at: row.last_fired_at === null ? null : Number(row.last_fired_at) }));
  }
}
