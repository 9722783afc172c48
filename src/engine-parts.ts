// The engine's parts as lifecycle parts (lifecycle.ts): how each starts, stops and says how
// it is; and the wiring of the parts that take many others, so startEngine reads as the
// list of parts in the order they depend on each other.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { addressListMatcher } from './address-list.js';
import type { Clock } from './clock.js';
import { ModulePlacement } from './cluster/module-placement.js';
import { HttpRemoteModules } from './cluster/remote-modules.js';
import { formatProblem } from './config/problems.js';
import type { Config } from './config/schema.js';
import { diagnose } from './drivers/module-diagnostics.js';
import { ModuleHost } from './drivers/module-host.js';
import type { DriverRegistry } from './drivers/registry.js';
import type { EventSink } from './event-sink.js';
import { createApp } from './http/app.js';
import { clientAddress } from './http/client-address.js';
import { listen, serverLimits, type HttpServer } from './http/http-server.js';
import type { InternalRouteDeps } from './http/internal-route.js';
import type { IdSource } from './ids.js';
import { NotifyRoute } from './inbound/notify-route.js';
import type { RateLimiter } from './inbound/rate-limiter.js';
import type { Part, PartHealth } from './lifecycle.js';
import { driverLogger, type Logger } from './logger.js';
import { EngineMetrics } from './metrics/engine-metrics.js';
import { ModuleStateRecorder, restoreModuleStates } from './module-state.js';
import { applyOverrides, previousSecrets, shadowNotes } from './overrides/overrides.js';
import { NodeHeartbeat } from './node-heartbeat.js';
import { openConfiguredStore } from './open-store.js';
import type { DeliveryWorker } from './outbound/delivery-worker.js';
import { createMailer } from './outbound/mailer.js';
import type { OutboundService } from './outbound/outbound-service.js';
import { buildGeneration, type Generation } from './reload/generation.js';
import { recordGeneration } from './reload/generation-record.js';
import { describeChanges, LiveConfig, type ReloadOutcome } from './reload/live-config.js';
import { RetentionJob } from './retention-job.js';
import { runInput } from './run-input.js';
import { lockDataDir } from './store/data-dir-lock.js';
import { forgetAddress, recordAddress } from './store/engine-address.js';
import { HEARTBEAT_MS } from './store/node-liveness.js';
import { forgetReloads, recordReload } from './store/reload-record.js';
import type { Store, StoreOptions } from './store/store.js';
import type { OverrideRow } from './store/writes.js';
import type { ActionContext } from './triggers/actions/action-runner.js';
import { RunExecutor } from './triggers/run-executor.js';
import type { TriggerFirer } from './triggers/trigger-firer.js';

type Server = Config['server'];

/** What every part may be built with. */
export interface Wiring {
  config: Config;
  /** Where the config was read from: files it names are relative to it. */
  configDir: string;
  dataDir: string;
  registry: DriverRegistry;
  clock: Clock;
  ids: IdSource;
  log: Logger;
  /** This engine's id among the nodes of its database: its heartbeat, its runs and its leases carry it. */
  node: string;
}

/** The data directory, locked before anything in it is touched and released last. */
export function dataDirLockPart(dataDir: string): Part {
  let lock: ReturnType<typeof lockDataDir> | undefined;
  return { name: 'data_dir', start: () => void (lock = lockDataDir(dataDir)), stop: () => lock?.release() };
}

export function storePart(w: Wiring, extra: StoreOptions = {}): Part<Store> {
  let store: Store | undefined;
  return {
    name: 'store',
    start: async () =>
      (store = await openConfiguredStore(w.config.server, w.dataDir, {
        maintenance: { onProblem: (message) => w.log.warn(message) },
        ...extra,
      })),
    stop: () => store?.close(),
    health: () => store!.readiness(),
  };
}

/** The engine's metrics: the parts feed them; the outbox and the database's files are read when scraped. */
export function engineMetrics(w: Wiring, store: Store): EngineMetrics {
  return new EngineMetrics({
    pendingDeliveries: () => store.outbox.pendingBySubscription(),
    databaseBytes: () => store.sizeBytes(),
    now: () => w.clock.now(),
  });
}

/** Every system's modules: their events go into the outbox, their state changes to the outbound side, their status to the metrics. */
export function moduleHost(w: Wiring, outbound: OutboundService, metrics: EngineMetrics): ModuleHost {
  const modules = new ModuleHost(w.config, w.registry, {
    clock: w.clock,
    log: driverLogger(w.log.child({ component: 'module' })),
    events: outbound.outbox,
  });
  modules.onStateChange((change) => outbound.moduleStateChanged(change));
  metrics.watchModules(() =>
    modules.all().map((m) => ({ system: m.systemId, module: m.address, status: m.status, connection: m.connection })),
  );
  return modules;
}

export interface ExecutorDeps {
  store: Store;
  /** Whether other nodes may share the store (PostgreSQL). */
  shared: boolean;
  modules: ModuleHost;
  metrics: EngineMetrics;
  sendMail: ActionContext['sendMail'];
  events: EventSink;
}

/** Runs fired triggers' actions; a resumed run reads its body back from its request. */
export function runExecutor(w: Wiring, deps: ExecutorDeps): RunExecutor {
  return new RunExecutor({
    ...w,
    runs: deps.store.runs,
    store: deps.store,
    modules: deps.modules,
    telemetry: deps.metrics,
    sendMail: deps.sendMail,
    resumedInput: (run) => runInput(deps.store, run),
    events: deps.events,
    shared: deps.shared,
  });
}

export interface LiveConfigParts {
  store: Store;
  modules: ModuleHost;
  firer: TriggerFirer;
  outbound: OutboundService;
  metrics: EngineMetrics;
}

/**
 * The config as it serves now, starting with the one the engine started with (generation
 * 1); SIGHUP or `switchboard reload` swap it (reload/live-config.ts). State changes reach
 * the compare conditions of the generation serving; each reload's outcome goes to the
 * metrics and to the data directory, where `switchboard reload` reads it.
 */
export async function liveConfig(w: Wiring, parts: LiveConfigParts, env?: NodeJS.ProcessEnv): Promise<LiveConfig> {
  const deps = { ...parts, ...w, telemetry: parts.metrics };
  const build = (config: Config, number: number, hash: string | undefined, overrides: readonly OverrideRow[]) =>
    buildGeneration(deps, config, number, hash, previousSecrets(overrides));
  const reported = reloadReports(w.dataDir, parts.metrics);
  const overrides = () => parts.store.overrides.all();
  const applied = await overrides();
  for (const note of shadowNotes(w.config, applied)) w.log.warn(`override shadows the YAML: ${note}`);
  const first = await build(applyOverrides(w.config, applied), 1, undefined, applied);
  const record = { ...w, store: parts.store, now: () => w.clock.now() };
  const serving = (generation: Generation, rows: readonly OverrideRow[]) => recordGeneration(record, generation, rows);
  const live = new LiveConfig({ ...w, ...parts, env, build, reported, overrides, serving }, first, w.config, applied);
  parts.modules.onStateChange((change) => live.current.conditions.onStateChange(change));
  return live;
}

/** Each reload's outcome: counted in the metrics, and recorded for `switchboard reload`, numbered from 1. */
function reloadReports(dataDir: string, metrics: EngineMetrics): (outcome: ReloadOutcome) => void {
  let attempt = 0;
  return (outcome) => {
    metrics.configReloaded(outcome.result, outcome.generation);
    recordReload(dataDir, {
      pid: process.pid,
      attempt: ++attempt,
      result: outcome.result,
      generation: outcome.generation,
      hash: outcome.hash,
      problems: outcome.problems.map(formatProblem),
      reason: outcome.reason,
      summary: outcome.changes && describeChanges(outcome.changes),
      shadowed: outcome.shadowed,
    });
  };
}

/** The mail server's connection, when the config has one; resolves to the email action's send. */
export function mailerPart(config: Config): Part<ActionContext['sendMail']> {
  let mailer: ReturnType<typeof createMailer> | undefined;
  return {
    name: 'mail',
    start: () => {
      const started = config.mail ? createMailer(config.mail) : undefined;
      mailer = started;
      return started && ((message) => started.send(message));
    },
    stop: () => mailer?.close(),
  };
}

/**
 * Module state kept across restarts: read back into the modules when it starts (before
 * they start), written as it changes, and the last of it written when it stops (after the
 * modules stopped, since it stops after them).
 */
export function moduleStatePart(w: Wiring, store: Store, modules: ModuleHost): Part {
  let recorder: ModuleStateRecorder | undefined;
  return {
    name: 'module_state',
    async start() {
      const restored = await restoreModuleStates(store.moduleStates, modules, w.log);
      if (restored > 0) w.log.info({ modules: restored }, 'module state restored');
      recorder = new ModuleStateRecorder(store, modules, w.clock, w.log);
    },
    stop: () => recorder?.stop(),
  };
}

/**
 * Where nodes share the database: which modules run on this node (module-placement.ts),
 * how calls reach the others (over HTTP with the secret the nodes share), and the route
 * other nodes call this one's modules by. Modules run here only once placed here.
 */
export async function clusterModules(
  w: Wiring,
  store: Store,
  modules: ModuleHost,
): Promise<{ placement: ModulePlacement; internal: Omit<InternalRouteDeps, 'bodyLimit'> }> {
  const secret = await store.cluster.setting('forward_secret', () => randomBytes(32).toString('base64url'));
  const remote = new HttpRemoteModules(store.cluster, secret);
  const placement = new ModulePlacement({ ...w, cluster: store.cluster, moduleStates: store.moduleStates, modules, remote });
  modules.place(placement);
  return { placement, internal: { modules, secret } };
}

export function modulesPart(modules: ModuleHost, placement?: ModulePlacement): Part {
  return {
    name: 'modules',
    async start() {
      await modules.startAll();
      await placement?.start();
    },
    async stop() {
      await placement?.stop();
      await modules.stopAll();
    },
    health: () => {
      const health = modulesHealth(modules);
      return placement ? { ...health, detail: `${health.detail}; ${placement.describe()}` } : health;
    },
  };
}

/** Runs: stopping waits for those in flight (up to shutdown_timeout); the rest resume at the next start. */
export function runsPart(executor: RunExecutor, server: Server): Part {
  return { name: 'runs', start: () => {}, stop: () => executor.drain(server.shutdown_timeout) };
}

/**
 * The serving generation's compare conditions and schedules, and reloads: stopped first
 * among the triggers' causes (after a reload under way), so a run finishing during the
 * drain fires nothing.
 */
export function configPart(live: LiveConfig, dataDir: string): Part {
  return {
    name: 'config',
    start: () => live.start(),
    async stop() {
      await live.stop();
      forgetReloads(dataDir);
    },
    health: () => ({ ok: true, detail: live.describe() }),
  };
}

/**
 * Where nodes share the store: every heartbeat, the runs of nodes that stopped or fell
 * silent are taken over and resumed here (the store hands each to one node). Real time,
 * as heartbeats are.
 */
export function runTakeoverPart(w: Wiring, executor: RunExecutor, live: LiveConfig): Part {
  return repeatingPart(
    w,
    'run_takeover',
    HEARTBEAT_MS,
    () => executor.resumeUnfinished(live.current.triggers),
    'could not look for runs to take over',
  );
}

/**
 * A part that does `work` every `everyMs` of real time (not keeping the process up), logging
 * what failed as `failure`; stopping waits for the round under way.
 */
function repeatingPart(w: Wiring, name: string, everyMs: number, work: () => Promise<unknown>, failure: string): Part {
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<unknown> = Promise.resolve();
  return {
    name,
    start() {
      timer = setInterval(() => {
        round = work().catch((error: Error) => w.log.warn({ reason: error.message }, failure));
      }, everyMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      await round;
    },
  };
}

/** How often expired idempotency keys, rate limits and per-key debounce windows are swept. Real time. */
export const KEYS_SWEPT_EVERY_MS = 60_000;
/** The most per-key debounce windows one instance keeps; past it the oldest go (their keys' next request fires). */
export const DEBOUNCE_KEYS_KEPT = 10_000;

/**
 * Sweeps what the request guards keep: expired idempotency keys and rate limits, per-key
 * debounce windows past their period, and each instance's oldest windows past
 * DEBOUNCE_KEYS_KEPT. Every node may sweep: deleting what expired changes no decision.
 */
export function keysSweepPart(w: Wiring, store: Store, live: LiveConfig): Part {
  const sweep = () => {
    const windows = live.current.catalog
      .all()
      .filter((instance) => instance.trigger.debounce_key !== undefined)
      .map((instance) => ({ instanceId: instance.id, periodMs: instance.trigger.debounce, keep: DEBOUNCE_KEYS_KEPT }));
    return store.commit([{ kind: 'keys_swept', at: w.clock.now(), windows }]);
  };
  return repeatingPart(w, 'keys_sweep', KEYS_SWEPT_EVERY_MS, sweep, 'could not sweep expired keys');
}

/** How often the overrides are read back: what the CLI or another node changed applies within this. */
export const OVERRIDES_POLL_MS = 1_000;

/**
 * The operator's overrides as the store holds them now: a change made here applies at once
 * (the admin API asks), one made by the CLI or another node when read back. Real time.
 */
export function overridesPart(w: Wiring, live: LiveConfig): Part {
  return repeatingPart(w, 'overrides', OVERRIDES_POLL_MS, () => live.followOverrides(), 'could not read the overrides');
}

export function retentionPart(w: Wiring, store: Store): Part {
  const { retention, keep_failed_runs } = w.config.server;
  const job = new RetentionJob(store.retention, retention, w.clock, w.log, keep_failed_runs);
  return { name: 'retention', start: () => job.start(), stop: () => job.stop() };
}

/** The delivery worker (and the sender's connections): stopping lets attempts in flight end, up to shutdown_timeout. */
export function outboundPart(outbound: OutboundService, worker: DeliveryWorker, server: Server): Part {
  return {
    name: 'outbound',
    start: () => worker.start(),
    stop: () => outbound.stop(server.shutdown_timeout),
    health: () => worker.liveness(),
  };
}

export interface ListenerDeps extends Wiring {
  /** Overrides of the config's address (tests listen on port 0). */
  port?: number;
  host?: string;
  live: LiveConfig;
  store: Store;
  firer: TriggerFirer;
  modules: ModuleHost;
  metrics: EngineMetrics;
  /** What /readyz reports: every part's state and health. */
  readiness(): Record<string, PartHealth>;
  /** Where nodes share the database: the route other nodes forward module calls to. */
  internal?: Omit<InternalRouteDeps, 'bodyLimit'>;
  /** Where trigger rate limits are counted. */
  rateLimiter: RateLimiter;
}

/** The HTTP(S) listener with the trigger routes, /healthz, /readyz and /metrics; its address is recorded for the CLI while it listens. */
export function listenerPart(deps: ListenerDeps): Part<HttpServer> {
  const server = deps.config.server;
  let http: HttpServer | undefined;
  return {
    name: 'listener',
    async start() {
      const addresses = clientAddress(server.trust_proxy);
      const metricsAllowed = addressListMatcher(server.metrics_allow_from);
      const app = createApp({
        notify: notifyRoute(deps),
        log: deps.log,
        addresses,
        maxConnectionsPerAddress: server.max_connections_per_address,
        readiness: deps.readiness,
        generation: () => ({ generation: deps.live.current.number, hash: deps.live.current.hash }),
        metrics: { allows: (ip) => metricsAllowed(ip), text: () => deps.metrics.text() },
        internal: deps.internal && { ...deps.internal, bodyLimit: server.body_limit },
      });
      http = await listen(app, {
        port: deps.port ?? server.port,
        host: deps.host ?? server.host,
        limits: serverLimits(server, {
          maxConnections: server.max_connections,
          maxConnectionsPerAddress: server.max_connections_per_address,
        }),
        tls: server.tls && {
          cert: readFileSync(resolve(deps.configDir, server.tls.cert)),
          key: readFileSync(resolve(deps.configDir, server.tls.key)),
        },
        isProxy: (peer) => addresses.isProxy(peer),
        log: deps.log,
      });
      recordAddress(deps.dataDir, http.url);
      return http;
    },
    async stop() {
      forgetAddress(deps.dataDir);
      // Requests are drained first: stop accepting, finish those in flight.
      await http?.close(server.shutdown_timeout);
    },
  };
}

function notifyRoute(deps: ListenerDeps): NotifyRoute {
  const { server } = deps.config;
  return new NotifyRoute({
    generation: () => deps.live.current,
    store: deps.store,
    storeFault: () => deps.store.health.current?.kind,
    firer: deps.firer,
    modules: deps.modules,
    clock: deps.clock,
    ids: deps.ids,
    log: deps.log,
    telemetry: deps.metrics,
    limits: { bodyLimit: server.body_limit, jsonDepth: server.json_depth, requestTimeoutMs: server.request_timeout },
    rateLimiter: deps.rateLimiter,
  });
}

/** This engine's row among the database's nodes: its heartbeat, with the generation it serves. */
export function nodePart(w: Wiring, deps: { store: Store; live: LiveConfig; modules: ModuleHost }): Part<NodeHeartbeat> {
  const heartbeat = new NodeHeartbeat({
    ...w,
    store: deps.store,
    generation: () => ({ number: deps.live.current.number, hash: deps.live.current.hash }),
    // The modules that run here; those placed on another node are that node's to report.
    modules: () =>
      deps.modules
        .all()
        .filter((m) => m.status !== 'elsewhere')
        .map(diagnose),
  });
  deps.live.onReloaded((outcome) => {
    if (outcome.result === 'applied') void heartbeat.beat();
  });
  return {
    name: 'node',
    start: async () => {
      await heartbeat.start();
      return heartbeat;
    },
    stop: () => heartbeat.stop(),
    health: () => ({ ok: true, detail: heartbeat.id }),
  };
}

/** Modules are healthy once each has started or failed; a failed one is named, but the rest of the engine serves. */
function modulesHealth(modules: ModuleHost): PartHealth {
  const all = modules.all();
  const starting = all.filter((m) => m.status === 'stopped');
  const failed = all.filter((m) => m.status === 'failed');
  if (starting.length > 0) return { ok: false, detail: `${starting.length} not started yet` };
  const running = `${all.length - failed.length} running`;
  return {
    ok: true,
    detail:
      failed.length === 0
        ? running
        : `${running}; failed: ${failed.map((m) => `${m.systemId}/${m.address} (${m.failure})`).join(', ')}`,
  };
}
