// Generated trigger secrets: made once per instance, kept, and shown by `switchboard urls`.
import type { Kysely } from 'kysely';
import type { Tables } from './tables.js';

export class SecretsRepo {
  constructor(private readonly db: Kysely<Tables>) {}

  /** Returns the stored secret of each instance, generating and storing the missing ones. */
  async ensure(instanceIds: readonly string[], generate: () => string, now: number): Promise<Map<string, string>> {
    return this.db.transaction().execute(async (tx) => {
      const rows =
        instanceIds.length === 0
          ? []
          : await tx.selectFrom('instance_secrets').selectAll().where('instance_id', 'in', instanceIds).execute();
      const secrets = new Map(rows.map((r) => [r.instance_id, r.secret]));
      for (const id of instanceIds) {
        if (secrets.has(id)) continue;
        const secret = generate();
        await tx.insertInto('instance_secrets').values({ instance_id: id, secret, created_at: now }).execute();
        secrets.set(id, secret);
      }
      return secrets;
    });
  }
}
