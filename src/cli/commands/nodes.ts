// `switchboard nodes`: the engine nodes that have run on this database in the last day, the
// most recently seen first: live (a heartbeat within the last 15 s), stopped, or silent (it
// stopped writing heartbeats without stopping: killed, or cut off from the database); the
// config generation each serves, the modules each runs (on PostgreSQL, where nodes share the
// work: each module's lease, its epoch and how long it has left), and a warning when live
// nodes serve different configs.
import { LIVE_WITHIN_MS } from '../../store/node-liveness.js';
import type { NodeRow } from '../../store/writes.js';
import { jsonOption, storeOptions, type OptionValues } from '../options.js';
import { withStore } from '../with-store.js';

export const options = { ...storeOptions, ...jsonOption } as const;

const SHOWN_FOR_MS = 86_400_000;

type Status = 'live' | 'stopped' | 'silent';

function statusOf(node: NodeRow, now: number): Status {
  if (node.stopped_at !== null) return 'stopped';
  return now - node.seen_at <= LIVE_WITHIN_MS ? 'live' : 'silent';
}

export async function nodes(values: OptionValues<typeof options>): Promise<number> {
  return withStore(values, async (store) => {
    const now = Date.now();
    const all = await store.nodes.all();
    const leases = await store.cluster.leases();
    const modulesOf = (node: NodeRow) =>
      leases
        .filter((l) => l.node_id === node.id)
        .map((l) => ({ module: l.module, epoch: l.epoch, lease_left_ms: l.lease_until - now }));
    const shown = all.filter((n) => now - n.seen_at <= SHOWN_FOR_MS || statusOf(n, now) === 'live');
    if (values.json) {
      for (const node of shown) console.log(JSON.stringify({ ...node, status: statusOf(node, now), modules: modulesOf(node) }));
      return 0;
    }
    if (shown.length === 0) console.log('no node has run on this database in the last day');
    for (const node of shown) {
      const status = statusOf(node, now);
      const ago = Math.max(0, Math.round((now - node.seen_at) / 1000));
      console.log(
        [
          node.id,
          status.padEnd(7),
          `${node.host} pid ${node.pid}`,
          node.url,
          `generation ${node.generation} (${node.config_hash})`,
          `started ${new Date(node.started_at).toISOString()}`,
          status === 'stopped' ? `stopped ${new Date(node.stopped_at!).toISOString()}` : `seen ${ago} s ago`,
        ].join('  '),
      );
      const modules = modulesOf(node);
      if (modules.length > 0)
        console.log(
          `  modules: ${modules
            .map((m) =>
              m.lease_left_ms >= 0
                ? `${m.module} (epoch ${m.epoch}, lease ${Math.ceil(m.lease_left_ms / 1000)} s left)`
                : `${m.module} (epoch ${m.epoch}, lease ran out ${Math.floor(-m.lease_left_ms / 1000)} s ago)`,
            )
            .join(', ')}`,
        );
    }
    const older = all.length - shown.length;
    if (older > 0) console.log(`(${older} more stopped or silent for over a day)`);
    const configs = new Set(shown.filter((n) => statusOf(n, now) === 'live').map((n) => n.config_hash));
    if (configs.size > 1)
      console.log(
        `warning: the live nodes serve ${configs.size} different configs; run \`switchboard reload\` on each node (see "Reloading the config")`,
      );
    return 0;
  });
}
