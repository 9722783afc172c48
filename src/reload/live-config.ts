// Reload without restart: the config generation serving now, and the swap to the next.
// A reload validates the config directory exactly as `check` does (prepareConfig), and
// refuses what cannot change while running (restart-only.ts); on any problem the running
// generation goes on serving and every problem is logged and reported. Otherwise the next
// generation is built beside the running one, the modules are reconciled (only changed
// ones restart), the schedules and edge states of unchanged instances are handed over,
// and the serving generation is swapped in one synchronous step. Reloads run one at a time.
// The operator's overrides (src/overrides) are applied on top of the YAML each time: a
// change of them swaps a generation the same way, from the YAML it serves.
import { canonicalJson, configHash } from '../config/config-hash.js';
import { ConfigInvalid, formatProblem, type Problem } from '../config/problems.js';
import type { Config } from '../config/schema.js';
import type { ModuleChanges, ModuleHost } from '../drivers/module-host.js';
import type { DriverRegistry } from '../drivers/registry.js';
import type { Logger } from '../logger.js';
import { applyOverrides, shadowNotes } from '../overrides/overrides.js';
import { prepareConfig } from '../prepare-config.js';
import type { OverrideRow, UnitOfWork } from '../store/writes.js';
import type { Generation } from './generation.js';
import { instanceChanges, type InstanceChanges } from './instance-changes.js';
import { restartOnlyProblems } from './restart-only.js';

export type ReloadResult = 'applied' | 'unchanged' | 'refused' | 'failed';

export interface ReloadOutcome {
  result: ReloadResult;
  /** The generation serving once the reload ended (the old one unless it was applied). */
  generation: number;
  hash: string;
  /** Why a reload was refused: every problem of the config, in file order. */
  problems: Problem[];
  /** Why an applied reload's config could not be taken whole, or a reload failed. */
  reason?: string;
  /** What an applied reload changed. */
  changes?: { instances: Omit<InstanceChanges, 'unchanged'>; modules: ModuleChanges };
  /** The overrides that shadow a value of the YAML (overrides.ts), one line each. */
  shadowed: string[];
}

export interface LiveConfigDeps {
  configDir: string;
  env?: NodeJS.ProcessEnv;
  /** The drivers loaded at start: a reload checks the config against them (driver code changes need a restart). */
  registry: DriverRegistry;
  /** Builds a generation of a valid config (whose hash is `hash`, the overrides applied), not yet started. */
  build(config: Config, number: number, hash: string, overrides: readonly OverrideRow[]): Promise<Generation>;
  modules: ModuleHost;
  /** Where the debounce windows of changed and removed instances are forgotten. */
  store: UnitOfWork;
  /** The outbound side takes in the subscriptions, new emit types and systems' zones (readied first, applied at the swap). */
  outbound: { followConfig(config: Config): Promise<() => void> };
  log: Logger;
  /** Told every outcome of a reload of the files (metrics, the record `switchboard reload` reads). */
  reported(outcome: ReloadOutcome): void;
  /** The operator's overrides as stored now. */
  overrides(): Promise<readonly OverrideRow[]>;
  /** Told each generation as it begins serving (the first at start), with the overrides it applied. */
  serving?(generation: Generation, overrides: readonly OverrideRow[]): void;
}

/** Where a swap's config comes from: the config directory (a reload) or the overrides changed. */
type Source = 'files' | 'overrides';

export class LiveConfig {
  private serving: Generation;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly listeners: ((outcome: ReloadOutcome) => void)[] = [];
  /** The config as the YAML says, before the overrides. */
  private yamlConfig: Config;
  /** The overrides the serving generation applied, as canonical JSON. */
  private appliedOverrides: string;
  private readonly firstOverrides: readonly OverrideRow[];

  constructor(
    private readonly deps: LiveConfigDeps,
    first: Generation,
    /** The YAML's config the first generation was built from, and the overrides applied to it. */
    yaml: Config,
    overrides: readonly OverrideRow[],
  ) {
    this.serving = first;
    this.yamlConfig = yaml;
    this.appliedOverrides = canonicalJson(overrides);
    this.firstOverrides = overrides;
  }

  /** The generation serving now: read it once per request, state change or due time. */
  get current(): Generation {
    return this.serving;
  }

  /** The serving config as the YAML says, before the overrides. */
  get yaml(): Config {
    return this.yamlConfig;
  }

  /** Tells `listener` the outcome of every reload from now on (after the metrics and the record). */
  onReloaded(listener: (outcome: ReloadOutcome) => void): void {
    this.listeners.push(listener);
  }

  /** How the serving generation is, for /readyz. */
  describe(): string {
    const { number, hash, catalog, timed } = this.serving;
    return `generation ${number} (${hash}): ${catalog.all().length} instances, ${timed.size} schedules`;
  }

  /** The first generation's compare conditions take the modules' state now (kept from before a restart) as their starting point. */
  baseline(): void {
    this.serving.conditions.baseline();
  }

  /** Starts the first generation's watcher (firing the edges seen since its baseline) and schedules. */
  async start(): Promise<void> {
    this.deps.serving?.(this.serving, this.firstOverrides);
    this.serving.conditions.start();
    await this.serving.timed.start();
  }

  /** Waits for a reload under way and takes no more; then stops the serving generation's schedules and edges. */
  async stop(): Promise<void> {
    this.closed = true;
    await this.queue;
    await this.serving.timed.stop();
    this.serving.conditions.stop();
  }

  /** Reloads the config directory after any reload under way; never rejects: the outcome says what happened. */
  reload(): Promise<ReloadOutcome> {
    const outcome = this.queue.then(() => this.attempt('files'));
    this.queue = outcome;
    return outcome;
  }

  /**
   * Applies the overrides as stored now, if they changed since the serving generation was
   * built (an operator's change here, on another node or from the CLI); resolves to the
   * outcome, or undefined when they had not changed.
   */
  followOverrides(): Promise<ReloadOutcome | undefined> {
    const outcome = this.queue.then(async () => {
      if (this.closed || canonicalJson(await this.deps.overrides()) === this.appliedOverrides) return undefined;
      return this.attempt('overrides');
    });
    // A store that cannot be read fails this call, never the reloads queued after it.
    this.queue = outcome.catch(() => undefined);
    return outcome;
  }

  private async attempt(source: Source): Promise<ReloadOutcome> {
    const running = this.serving;
    const kept = { generation: running.number, hash: running.hash, problems: [], shadowed: [] };
    let outcome: ReloadOutcome;
    try {
      outcome = this.closed ? { ...kept, result: 'failed', reason: 'the engine is stopping' } : await this.swap(running, source);
    } catch (error) {
      outcome = { ...kept, result: 'failed', reason: (error as Error).message };
    }
    this.log(outcome, source);
    if (source === 'files') this.deps.reported(outcome);
    for (const listener of this.listeners) listener(outcome);
    return outcome;
  }

  private async swap(running: Generation, source: Source): Promise<ReloadOutcome> {
    const { deps } = this;
    const kept = { generation: running.number, hash: running.hash, shadowed: [] };
    let yaml = this.yamlConfig;
    if (source === 'files') {
      try {
        const { loaded } = await prepareConfig(deps.configDir, { env: deps.env, registry: deps.registry });
        const problems = restartOnlyProblems(running.config, loaded.config, loaded.locate);
        if (problems.length > 0) return { ...kept, result: 'refused', problems };
        yaml = loaded.config;
      } catch (error) {
        if (error instanceof ConfigInvalid) return { ...kept, result: 'refused', problems: [...error.problems] };
        throw error;
      }
    }
    const overrides = await deps.overrides();
    const shadowed = shadowNotes(yaml, overrides);
    const config = applyOverrides(yaml, overrides);
    const hash = configHash(config);
    const settled = () => {
      this.yamlConfig = yaml;
      this.appliedOverrides = canonicalJson(overrides);
    };
    if (hash === running.hash) {
      settled();
      return { ...kept, result: 'unchanged', problems: [], shadowed };
    }
    const next = await deps.build(config, running.number + 1, hash, overrides);
    const followOutbound = await deps.outbound.followConfig(config);
    // Nothing shared has changed until here (new instances' and subscriptions' secrets are
    // kept, as at a start): a failure above leaves the running generation as it was.
    const instances = instanceChanges(running.config, config);
    followOutbound();
    const modules = await deps.modules.reconcile(config);
    const handover = await running.timed.stop();
    running.conditions.stop();
    const unchanged = new Set(instances.unchanged);
    next.conditions.start(new Map([...running.conditions.edgeStates()].filter(([id]) => unchanged.has(id))));
    // Queued before the swap: requests the new generation serves commit after it, in order.
    const keys = [...instances.changed, ...instances.removed];
    const forgotten = keys.length > 0 ? deps.store.commit([{ kind: 'debounce_forgotten', keys }]) : undefined;
    this.serving = next;
    settled();
    deps.serving?.(next, overrides);
    await forgotten?.catch((error: Error) =>
      deps.log.warn({ reason: error.message }, 'the debounce windows of changed instances were not reset'),
    );
    const applied = { generation: next.number, hash: next.hash, problems: [], shadowed };
    const changed = { added: instances.added, changed: instances.changed, removed: instances.removed };
    try {
      await next.timed.start(handover);
    } catch (error) {
      const reason = `generation ${next.number} serves, but its schedules did not start: ${(error as Error).message}`;
      return { ...applied, result: 'failed', reason, changes: { instances: changed, modules } };
    }
    return { ...applied, result: 'applied', changes: { instances: changed, modules } };
  }

  private log(outcome: ReloadOutcome, source: Source): void {
    const { log } = this.deps;
    const generation = { generation: outcome.generation, hash: outcome.hash };
    for (const note of outcome.shadowed) log.warn(generation, `override shadows the YAML: ${note}`);
    if (outcome.result === 'applied') {
      const { instances, modules } = outcome.changes!;
      const what = source === 'files' ? 'config reloaded' : 'overrides applied';
      log.info({ ...generation, instances, modules }, `${what}: ${describeChanges(outcome.changes!)}`);
    } else if (outcome.result === 'unchanged') {
      log.info(generation, 'config reload: nothing changed');
    } else if (outcome.result === 'refused') {
      const problems = outcome.problems.map(formatProblem);
      log.warn({ ...generation, problems }, `config reload refused (${problems.length} problems); the running generation serves`);
    } else {
      log.error({ ...generation, reason: outcome.reason }, 'config reload failed');
    }
  }
}

/** `instances: 1 added, 2 changed, 0 removed; modules: 1 restarted, 0 started, 0 stopped` */
export function describeChanges({ instances, modules }: NonNullable<ReloadOutcome['changes']>): string {
  const count = (parts: Record<string, string[]>) =>
    Object.entries(parts)
      .map(([what, names]) => `${names.length} ${what}`)
      .join(', ');
  return `instances: ${count(instances)}; modules: ${count({ restarted: modules.restarted, started: modules.started, stopped: modules.stopped })}`;
}
