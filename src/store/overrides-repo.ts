// The operator's runtime changes on top of the YAML (overrides table), read whole: there are
// a handful, and every node compares the whole set to see whether it changed.
import type { Kysely } from 'kysely';
import type { Tables } from './tables.js';
import type { OverrideRow } from './writes.js';

export type { OverrideRow } from './writes.js';

export class OverridesRepo {
  constructor(private readonly db: Kysely<Tables>) {}

  /** Every override, in a stable order (target, id, field). */
  async all(): Promise<OverrideRow[]> {
    const rows = await this.db.selectFrom('overrides').selectAll().orderBy('target').orderBy('id').orderBy('field').execute();
    return rows.map((r) => ({ ...r, set_at: Number(r.set_at) }));
  }
}
