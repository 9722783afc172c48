// Each module's kept state (written as `module_state`), read back at start.
import type { Kysely } from 'kysely';
import type { Tables } from './tables.js';
import type { ModuleStateRow } from './writes.js';

export class ModuleStateRepo {
  constructor(private readonly db: Kysely<Tables>) {}

  async all(): Promise<ModuleStateRow[]> {
    const rows = await this.db.selectFrom('module_state').selectAll().orderBy('system_id').orderBy('address').execute();
    return rows.map((r) => ({ ...r, updated_at: Number(r.updated_at) }));
  }
}
