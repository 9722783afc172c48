// One generation of the config: what a reload swaps as a whole. It holds everything built
// from the config's triggers and instances (the catalogue with their secrets, the compare
// conditions' watcher, the schedules); a request, a state change or a due time is handled
// by the generation serving when it arrives. What outlives generations (the store, the
// modules, debounce windows, run slots, the outbox) is given to it.
import type { Clock } from '../clock.js';
import { configHash } from '../config/config-hash.js';
import type { Config, TriggerConfig } from '../config/schema.js';
import type { ModuleHost } from '../drivers/module-host.js';
import type { IdSource } from '../ids.js';
import { instanceSecrets } from '../instance-secrets.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import type { Telemetry } from '../telemetry.js';
import { ConditionStatusRecorder } from '../triggers/condition-status.js';
import { ConditionWatcher } from '../triggers/conditions/condition-watcher.js';
import { TimedConditions } from '../triggers/conditions/timed-conditions.js';
import { InstanceCatalog, type TriggerInstance } from '../triggers/instance-catalog.js';
import { conditionsTrace } from '../triggers/run-trace.js';
import type { TriggerFirer } from '../triggers/trigger-firer.js';

export interface Generation {
  /** 1 for the config the engine started with, one more for each reload applied. */
  readonly number: number;
  /** The config's hash (config-hash.ts): the same config always has the same one. */
  readonly hash: string;
  readonly config: Config;
  readonly catalog: InstanceCatalog;
  readonly triggers: ReadonlyMap<string, TriggerConfig>;
  readonly conditions: ConditionWatcher;
  readonly timed: TimedConditions;
}

/** What every generation is built with: the parts that outlive it. */
export interface GenerationDeps {
  store: Store;
  modules: ModuleHost;
  firer: TriggerFirer;
  telemetry: Telemetry;
  clock: Clock;
  ids: IdSource;
  log: Logger;
}

const CONDITIONS_INPUT = { method: 'CONDITIONS', body: { cause: 'conditions' }, query: {}, headers: {} };

/**
 * Builds a generation, not yet started: new instances get a generated secret (kept in the
 * store, as every instance's is, by id, so a changed instance keeps its own). Its watcher
 * and schedules start when it begins serving.
 */
export async function buildGeneration(
  deps: GenerationDeps,
  config: Config,
  number: number,
  /** The config's hash, when the caller has it already (a reload compares it first). */
  hash = configHash(config),
  /** The secrets rotations replaced, accepted until their grace ends. */
  previous: ReadonlyMap<string, { secret: string; until: number }> = new Map(),
): Promise<Generation> {
  const { store, clock, log } = deps;
  const secrets = await instanceSecrets(config, store, deps.ids, clock);
  const catalog = new InstanceCatalog(config, secrets, previous, () => clock.now());
  // An instance driven by its compare conditions alone fires on their edge.
  const onEdge = (instance: TriggerInstance) =>
    void deps.firer
      .fire(instance, CONDITIONS_INPUT, 'conditions', undefined, undefined, conditionsTrace(conditions.explain(instance)))
      .catch((error: Error) => log.error({ instance: instance.id, reason: error.message }, 'conditions fire failed'));
  const conditions = new ConditionWatcher(catalog.all(), deps.modules, onEdge, new ConditionStatusRecorder(store, clock, log));
  const timed = new TimedConditions({
    catalog,
    schedules: store.schedules,
    store,
    firer: deps.firer,
    clock,
    log,
    telemetry: deps.telemetry,
    holds: (instance) => conditions.holds(instance),
    explain: (instance) => conditions.explain(instance),
  });
  const triggers = new Map(config.triggers.map((t) => [t.id, t]));
  return { number, hash, config, catalog, triggers, conditions, timed };
}
