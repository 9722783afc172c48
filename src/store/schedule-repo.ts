// When each schedule condition last fired (recorded on every fire, read for catch-up).
import type { Database } from './database.js';

const RECORD_SQL = `insert into schedule_fires (instance_id, condition, last_fired_at) values (@instance_id, @condition, @at)
  on conflict (instance_id, condition) do update set last_fired_at = excluded.last_fired_at`;

export class ScheduleRepo {
  private readonly recordStatement;

  constructor(private readonly database: Database) {
    this.recordStatement = database.sqlite.prepare<{ instance_id: string; condition: number; at: number }>(RECORD_SQL);
  }

  record(instanceId: string, condition: number, at: number): Promise<void> {
    return this.database.batcher.write(() => this.recordStatement.run({ instance_id: instanceId, condition, at }));
  }

  /** `instance/condition` → last fired time. */
  async lastFires(): Promise<Map<string, number>> {
    const rows = await this.database.db.selectFrom('schedule_fires').selectAll().execute();
    return new Map(rows.map((r) => [`${r.instance_id}/${r.condition}`, Number(r.last_fired_at)]));
  }
}
