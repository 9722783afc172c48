// Module state that survives a restart. Each module's state is written when it changes:
// coalesced (the changes of one turn are one write per module, in one commit) and off the
// request path (nothing waits for it). At start it is read back into each module of the
// same driver before the module starts and before compare conditions take their starting
// point, so a condition that held before a restart is not a new edge after it. A key whose
// value is larger than an event may carry (STATE_VALUE_LIMIT) is not kept: it starts from
// the driver's initial value, as a module.state_changed event describes it instead of
// copying it.
import type { Clock } from './clock.js';
import type { ModuleHost } from './drivers/module-host.js';
import type { ModuleInstance } from './drivers/module-instance.js';
import type { Logger } from './logger.js';
import { STATE_VALUE_LIMIT } from './outbound/state-change-data.js';
import type { ModuleStateRepo } from './store/module-state-repo.js';
import type { UnitOfWork } from './store/writes.js';

/** How long a write the store refused waits before it is tried again. */
const RETRY_MS = 1_000;

/** Reads the kept state back into the modules (before they start); says how many were restored. */
export async function restoreModuleStates(
  repo: ModuleStateRepo,
  modules: Pick<ModuleHost, 'find'>,
  log: Logger,
): Promise<number> {
  let restored = 0;
  for (const row of await repo.all()) {
    const module = modules.find(row.system_id, row.address);
    // Gone from the config, or another driver at that address now: its state means nothing here.
    if (!module || module.driver.name !== row.driver) continue;
    let kept: Record<string, unknown>;
    try {
      kept = JSON.parse(row.state) as Record<string, unknown>;
    } catch {
      log.warn(
        { system: row.system_id, module: row.address },
        'kept module state is not JSON; the module starts from its initial state',
      );
      continue;
    }
    const result = module.restore(kept);
    if (result.ok) restored++;
    else
      log.warn(
        { system: row.system_id, module: row.address, reason: result.reason },
        'kept module state does not fit its driver; the module starts from its initial state',
      );
  }
  return restored;
}

/** The keys of a state that are kept: those within the bound of an event's value. */
export function keptState(state: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(state)) {
    const text = JSON.stringify(value);
    if (text !== undefined && Buffer.byteLength(text) <= STATE_VALUE_LIMIT) kept[key] = value;
  }
  return kept;
}

/** Writes each changed module's state, once per turn however often it changed. */
export class ModuleStateRecorder {
  private readonly dirty = new Set<ModuleInstance>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly store: UnitOfWork,
    private readonly modules: ModuleHost,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    modules.onStateChange((change) => {
      const module = this.modules.find(change.systemId, change.address);
      if (!module) return;
      this.dirty.add(module);
      this.soon(0);
    });
  }

  /** Writes what is still to be written and takes no more (at shutdown, once the modules stopped). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    await this.write();
  }

  private soon(ms: number): void {
    if (this.timer !== undefined || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writing = this.writing.then(() => this.write());
    }, ms);
  }

  /** Never rejects: what the store refuses is written again after a pause (or, at shutdown, logged as not kept). */
  private async write(): Promise<void> {
    if (this.dirty.size === 0) return;
    const modules = [...this.dirty];
    this.dirty.clear();
    const at = this.clock.now();
    try {
      await this.store.commit(
        modules.map((m) => ({
          kind: 'module_state' as const,
          row: {
            system_id: m.systemId,
            address: m.address,
            driver: m.driver.name,
            state: JSON.stringify(keptState(m.currentState)),
            updated_at: at,
          },
        })),
      );
    } catch (error) {
      for (const m of modules) this.dirty.add(m);
      const fields = { modules: modules.length, reason: (error as Error).message };
      if (this.stopped) return this.log.error(fields, 'module state not kept: the store refused it at shutdown');
      this.log.warn(fields, 'module state not kept yet; trying again in a second');
      this.soon(RETRY_MS);
    }
  }
}
