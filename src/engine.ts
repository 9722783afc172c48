// The composition root: the engine's parts built in the order they depend on each other and
// started and stopped through one lifecycle list (lifecycle.ts, engine-parts.ts), so SIGTERM
// drains cleanly in reverse and /readyz reports each part. The data directory is locked
// before anything in it is touched; a start that fails part-way stops what it started.
// What the config's triggers and instances build is a generation (src/reload), which a
// reload swaps while the rest runs on.
import { adminPart } from './admin/admin-listener.js';
import { systemClock, type Clock } from './clock.js';
import { dataDirOf } from './config/data-dir.js';
import type { Config } from './config/schema.js';
import type { ModuleHost } from './drivers/module-host.js';
import type { DriverRegistry } from './drivers/registry.js';
import {
  configPart,
  clusterModules,
  dataDirLockPart,
  engineMetrics,
  keysSweepPart,
  listenerPart,
  liveConfig,
  mailerPart,
  moduleHost,
  moduleStatePart,
  modulesPart,
  nodePart,
  outboundPart,
  overridesPart,
  retentionPart,
  runExecutor,
  runsPart,
  runTakeoverPart,
  storePart,
  type Wiring,
} from './engine-parts.js';
import type { HttpServer } from './http/http-server.js';
import { randomIds, type IdSource } from './ids.js';
import { Lifecycle } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { createOutbound, type RunningOutbound } from './outbound/outbound-service.js';
import { storeLocation } from './open-store.js';
import { StoredConfigs } from './reload/stored-config.js';
import { prepareConfig } from './prepare-config.js';
import { succeedNode } from './store/node-record.js';
import type { Store, StoreOptions } from './store/store.js';
import type { LiveConfig, ReloadOutcome } from './reload/live-config.js';
import type { RunExecutor } from './triggers/run-executor.js';
import { MemoryRateLimiter, StoreRateLimiter } from './inbound/rate-limiter.js';
import { TriggerFirer } from './triggers/trigger-firer.js';

export interface EngineOptions {
  configDir: string;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  ids?: IdSource;
  log?: Logger;
  registry?: DriverRegistry;
  /** Overrides of the config's server settings (tests listen on port 0). */
  port?: number;
  host?: string;
  dataDir?: string;
  /** Overrides of the admin listener's port (tests listen on port 0). */
  adminPort?: number;
  /** Store options beyond the config's (tests wrap the writer to inject storage faults). */
  store?: Pick<StoreOptions, 'wrapWriter' | 'engineClock'>;
}

export interface Engine {
  /** The config of the generation serving now. */
  readonly config: Config;
  readonly url: string;
  /** The admin listener's address, when the config has an `admin` section. */
  readonly adminUrl?: string;
  readonly store: Store;
  readonly modules: ModuleHost;
  readonly executor: RunExecutor;
  readonly outbound: RunningOutbound;
  /** The config as it serves now (its generation), and reloads. */
  readonly live: LiveConfig;
  /** Reloads the config directory (what SIGHUP and `switchboard reload` do). */
  reload(): Promise<ReloadOutcome>;
  /** Resolves once no fire is being committed and no run is in flight. */
  settled(): Promise<void>;
  readonly http: HttpServer;
  stop(): Promise<void>;
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const log = options.log ?? createLogger();
  const { loaded, registry } = await prepareConfig(options.configDir, { env: options.env, registry: options.registry });
  const { config } = loaded;
  const dataDir = dataDirOf(config, loaded.dir, options.dataDir);
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const w: Wiring = { config, configDir: loaded.dir, dataDir, registry, clock, ids, log, node: ids.next('node') };
  const life = new Lifecycle(log);
  try {
    await life.start(dataDirLockPart(dataDir));
    // On PostgreSQL several nodes may share the database: they agree through it (heartbeats,
    // leases, claims), and no node locks the others out.
    const shared = storeLocation(config.server, dataDir).kind === 'postgres';
    const store = await life.start(storePart(w, options.store));
    // The node that ran on this data directory before is gone (its lock is ours): what it held passes on now.
    const predecessor = succeedNode(dataDir, w.node);
    if (shared && predecessor) await store.commit([{ kind: 'node_stopped', id: predecessor, at: Date.now() }]);
    const metrics = engineMetrics(w, store);
    // The outbox before the modules: their events and state changes go into it.
    const outbound = await createOutbound({ ...w, store, telemetry: metrics });
    const modules = moduleHost(w, outbound, metrics);
    const sendMail = await life.start(mailerPart(config));
    // The delivery worker after the modules: subscription hooks call them.
    const worker = outbound.deliveries({ modules, sendMail });
    await life.start(moduleStatePart(w, store, modules));
    const executor = runExecutor(w, { store, modules, metrics, sendMail, events: outbound.outbox, shared });
    const runsOwnedBy = shared ? w.node : undefined;
    const firer = new TriggerFirer({ ...w, store, executor, events: outbound.outbox, runsOwnedBy });
    const live = await liveConfig(w, { store, modules, firer, outbound, metrics }, options.env);
    // Conditions start from the state kept before a restart; what the modules' start changes is an edge.
    live.baseline();
    // Live (its heartbeat) before it fires or resumes anything, and until its runs are drained:
    // other nodes take over the runs of nodes that are not.
    const node = await life.start(nodePart(w, { store, live, modules }));
    const cluster = shared ? await clusterModules(w, store, modules) : undefined;
    await life.start(modulesPart(modules, cluster?.placement));
    // The modules have started (or failed): said at once, not at the next heartbeat.
    void node.beat();
    await life.start(runsPart(executor, config.server));
    await life.start(configPart(live, dataDir));
    await life.start(retentionPart(w, store));
    // Resumed runs start once conditions are watched, so the state they change is seen.
    await executor.resumeUnfinished(live.current.triggers);
    if (shared) await life.start(runTakeoverPart(w, executor, live));
    await life.start(outboundPart(outbound, worker, config.server));
    // Serving from here on: no query may freeze the event loop waiting for a lock.
    store.neverBlock();
    const internal = cluster?.internal;
    // One engine on its file counts alone (in memory); nodes sharing PostgreSQL count in it.
    const rateLimiter = shared ? new StoreRateLimiter(store) : new MemoryRateLimiter();
    const listener = {
      ...w,
      port: options.port,
      host: options.host,
      live,
      store,
      firer,
      modules,
      metrics,
      internal,
      rateLimiter,
    };
    const http = await life.start(listenerPart({ ...listener, readiness: () => life.report() }));
    // Its row says where it listens before the engine says it started (other nodes forward to it; the CLI reads it).
    await node.listensAt(http.url);
    await life.start(overridesPart(w, live));
    await life.start(keysSweepPart(w, store, live));
    const admin = config.admin
      ? await life.start(
          adminPart({
            admin: config.admin,
            server: config.server,
            port: options.adminPort,
            api: {
              ...w,
              live,
              store,
              startedAt: Date.now(),
              storeKind: shared ? 'postgres' : 'sqlite',
              readiness: () => life.report(),
              triggerBase: () => (config.server.public_url ?? http.url).replace(/\/+$/, ''),
              configs: new StoredConfigs((hash) => store.configs.generation(hash), loaded.dir, options.env),
              firer,
              modules,
            },
            metrics,
          }),
        )
      : undefined;
    log.info(
      { url: http.url, admin: admin?.url, instances: config.instances.length, modules: modules.all().length },
      'switchboard started',
    );
    const running = {
      url: http.url,
      adminUrl: admin?.url,
      store,
      modules,
      executor,
      outbound: { ...outbound, worker },
      live,
      http,
    };
    return {
      ...running,
      get config() {
        return live.current.config;
      },
      settled: () => firer.settled(),
      stop: stopOnce(life, log),
      reload: () => live.reload(),
    };
  } catch (error) {
    await life.stop();
    throw error;
  }
}

/** Stops every part once, however often it is called (SIGTERM and a test's cleanup may both ask). */
function stopOnce(life: Lifecycle, log: Logger): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () =>
    (stopping ??= (async () => {
      log.info('switchboard stopping');
      await life.stop();
      log.info('switchboard stopped');
    })());
}
