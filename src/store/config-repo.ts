// The config generations nodes served (config_generations, config_served): which one a run
// ran under, and one generation's YAML files as written, for traces and replays.
import type { Kysely } from 'kysely';
import type { Tables } from './tables.js';
import type { OverrideRow } from './writes.js';

export interface StoredGeneration {
  hash: string;
  /** Its YAML files by name, as written (before ${ENV} expansion). */
  files: Record<string, string>;
  overrides: OverrideRow[];
  created_at: number;
}

export class ConfigRepo {
  constructor(private readonly db: Kysely<Tables>) {}

  /** The hash of the generation serving at `at`: on `node` when given, else on whichever node served last before it. */
  async servedAt(at: number, node: string | null): Promise<string | undefined> {
    let query = this.db.selectFrom('config_served').select('hash').where('served_from', '<=', at);
    if (node !== null) query = query.where('node_id', '=', node);
    const row = await query.orderBy('served_from', 'desc').limit(1).executeTakeFirst();
    return row?.hash;
  }

  /** The generation a run ran under: the one its node served when it was created. */
  async ofRun(runId: string): Promise<string | undefined> {
    const run = await this.db.selectFrom('runs').select(['node_id', 'created_at']).where('id', '=', runId).executeTakeFirst();
    return run && this.servedAt(Number(run.created_at), run.node_id);
  }

  async generation(hash: string): Promise<StoredGeneration | undefined> {
    const row = await this.db.selectFrom('config_generations').selectAll().where('hash', '=', hash).executeTakeFirst();
    if (!row) return undefined;
    return {
      hash: row.hash,
      files: JSON.parse(row.files) as Record<string, string>,
      overrides: JSON.parse(row.overrides) as OverrideRow[],
      created_at: Number(row.created_at),
    };
  }

  /** The generations kept, newest first, without their files. */
  async list(limit: number): Promise<{ hash: string; created_at: number }[]> {
    const rows = await this.db
      .selectFrom('config_generations')
      .select(['hash', 'created_at'])
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ hash: r.hash, created_at: Number(r.created_at) }));
  }
}
