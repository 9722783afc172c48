// `switchboard modules`: every module as the node that runs it last said in its heartbeat:
// its status, why it failed, its device connection and queue, and its settings with secrets redacted (fields a driver marks
// `secret(...)` and secret-looking names). Read from the store, so it shows every node of a
// cluster and works whether the engine runs or not (a stopped node's modules say so).
import type { ModuleDiagnostics } from '../../drivers/module-diagnostics.js';
import { LIVE_WITHIN_MS } from '../../store/node-liveness.js';
import type { NodeRow } from '../../store/writes.js';
import { jsonOption, storeOptions, type OptionValues } from '../options.js';
import { withStore } from '../with-store.js';

export const options = { ...storeOptions, ...jsonOption } as const;

export async function modules(values: OptionValues<typeof options>): Promise<number> {
  return withStore(values, async (store) => {
    const now = Date.now();
    const rows = (await store.nodes.all()).filter((node) => node.modules !== null);
    // A module is shown once: by the node that saw it most recently (the list is newest first).
    const shown = new Map<string, { node: NodeRow; module: ModuleDiagnostics }>();
    for (const node of rows)
      for (const module of JSON.parse(node.modules!) as ModuleDiagnostics[]) {
        const key = `${module.system}/${module.module}`;
        if (!shown.has(key)) shown.set(key, { node, module });
      }
    const live = (node: NodeRow) => node.stopped_at === null && now - node.seen_at <= LIVE_WITHIN_MS;
    if (values.json) {
      for (const { node, module } of shown.values())
        console.log(JSON.stringify({ ...module, node: node.id, node_live: live(node), as_of: node.seen_at }));
      return 0;
    }
    if (shown.size === 0) console.log('no module has been reported yet: start the engine once');
    for (const { node, module } of shown.values()) {
      const where = live(node) ? `on ${node.id}` : `on ${node.id}, not live (as of ${new Date(node.seen_at).toISOString()})`;
      const link = module.connection === null ? '' : `  ${module.connection}, ${module.queue_depth ?? 0} queued`;
      console.log(`${module.system}/${module.module}  ${module.driver}  ${module.status}${link}  ${where}`);
      if (module.error) console.log(`  error     ${module.error}`);
      console.log(`  settings  ${JSON.stringify(module.settings)}`);
    }
    return 0;
  });
}
