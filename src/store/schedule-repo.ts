// When each schedule condition last fired (written as `schedule_fired`, read for catch-up).
import type { Kysely } from 'kysely';
import type { Tables } from './tables.js';

export class ScheduleRepo {
  constructor(private readonly db: Kysely<Tables>) {}

  /** `instance/condition` → last fired time. */
  async lastFires(): Promise<Map<string, number>> {
    const rows = await this.db.selectFrom('schedule_fires').selectAll().execute();
    return new Map(rows.map((r) => [`${r.instance_id}/${r.condition}`, Number(r.last_fired_at)]));
  }
}
