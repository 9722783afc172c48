// What the nodes sharing a PostgreSQL database agree on through it: which nodes are live,
// which node holds each module's lease, and the secret they forward module calls with.
// Leases are real time (as heartbeats are), read from each node's clock.
import { sql, type Kysely } from 'kysely';
import type { Tables } from './tables.js';

export interface ModuleLease {
  module: string;
  node_id: string;
  epoch: number;
  lease_until: number;
  /** Where the holder's listener answers. */
  url: string | null;
}

export interface LiveNode {
  id: string;
  url: string;
}

export class ClusterRepo {
  constructor(private readonly db: Kysely<Tables>) {}

  /** Nodes not stopped whose last heartbeat is at `since` or later. */
  async liveNodes(since: number): Promise<LiveNode[]> {
    return this.db
      .selectFrom('nodes')
      .select(['id', 'url'])
      .where('stopped_at', 'is', null)
      .where('seen_at', '>=', since)
      .orderBy('id')
      .execute();
  }

  /**
   * Takes or renews `module`'s lease for `node` until `until`: granted when the node holds
   * it already, when nobody does, when the holder's lease ran out by `now`, or when the
   * holder is not among `live`. Resolves to the lease's epoch and who held it before, or
   * undefined when another node keeps it. Concurrent takers are decided one after another
   * by the module's row.
   */
  async hold(
    module: string,
    node: string,
    now: number,
    until: number,
    live: readonly string[],
  ): Promise<{ epoch: number; from: string | null } | undefined> {
    const { rows } = await sql<{ epoch: number; previous: string | null }>`
      with prev as (select node_id from module_leases where module = ${module})
      insert into module_leases as l (module, node_id, epoch, lease_until) values (${module}, ${node}, 1, ${until})
      on conflict (module) do update set node_id = excluded.node_id, lease_until = excluded.lease_until,
        epoch = case when l.node_id = excluded.node_id then l.epoch else l.epoch + 1 end
      where l.node_id = excluded.node_id or l.lease_until < ${now} or not (l.node_id = any(${[...live]}::text[]))
      returning l.epoch, (select node_id from prev) as previous`.execute(this.db);
    const row = rows[0];
    return row && { epoch: Number(row.epoch), from: row.previous };
  }

  /** Every module lease with its holder's url, by module. */
  async leases(): Promise<ModuleLease[]> {
    return this.db
      .selectFrom('module_leases as l')
      .leftJoin('nodes as n', 'n.id', 'l.node_id')
      .select(['l.module', 'l.node_id', 'l.epoch', 'l.lease_until', 'n.url'])
      .orderBy('l.module')
      .execute();
  }

  /** The holder of `module`'s lease while it runs (at `now`), with its url. */
  async holder(module: string, now: number): Promise<ModuleLease | undefined> {
    return this.db
      .selectFrom('module_leases as l')
      .leftJoin('nodes as n', 'n.id', 'l.node_id')
      .select(['l.module', 'l.node_id', 'l.epoch', 'l.lease_until', 'n.url'])
      .where('l.module', '=', module)
      .where('l.lease_until', '>=', now)
      .executeTakeFirst();
  }

  /** A setting every node shares, made by `generate` on first use (the first node to ask wins). */
  async setting(name: string, generate: () => string): Promise<string> {
    await this.db
      .insertInto('cluster_settings')
      .values({ name, value: generate() })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const row = await this.db.selectFrom('cluster_settings').select('value').where('name', '=', name).executeTakeFirstOrThrow();
    return row.value;
  }
}
