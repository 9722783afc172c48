// The composition root: config, store, modules, runs and the HTTP server, started and
// stopped in order so SIGTERM drains cleanly. The data directory is locked before
// anything in it is touched; a start that fails part-way undoes what it started.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { addressListMatcher } from './address-list.js';
import { systemClock, type Clock } from './clock.js';
import { dataDirOf } from './config/data-dir.js';
import type { Config } from './config/schema.js';
import { ModuleHost } from './drivers/module-host.js';
import type { DriverRegistry } from './drivers/registry.js';
import { createApp } from './http/app.js';
import { clientAddress } from './http/client-address.js';
import { listen, type HttpServer } from './http/http-server.js';
import type { ReadinessChecks } from './http/readiness.js';
import { randomIds, type IdSource } from './ids.js';
import { NotifyRoute } from './inbound/notify-route.js';
import { EngineMetrics } from './metrics/engine-metrics.js';
import { createMailer } from './outbound/mailer.js';
import { createOutbound, type RunningOutbound } from './outbound/outbound-service.js';
import type { MailMessage } from './triggers/actions/action-runner.js';
import { createLogger, driverLogger, type Logger } from './logger.js';
import { prepareConfig } from './prepare-config.js';
import { RetentionJob } from './retention-job.js';
import { runInput } from './run-input.js';
import { instanceSecrets } from './instance-secrets.js';
import { lockDataDir } from './store/data-dir-lock.js';
import { forgetAddress, recordAddress } from './store/engine-address.js';
import { databaseFile, openStore, type Store, type StoreOptions } from './store/store.js';
import { Debouncer } from './triggers/debouncer.js';
import { InstanceCatalog } from './triggers/instance-catalog.js';
import { ConditionStatusRecorder } from './triggers/condition-status.js';
import { ConditionWatcher } from './triggers/conditions/condition-watcher.js';
import { TimedConditions } from './triggers/conditions/timed-conditions.js';
import { RunExecutor } from './triggers/run-executor.js';
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
  /** Store options beyond the config's (tests wrap the writer to inject storage faults). */
  store?: Pick<StoreOptions, 'wrapWriter'>;
}

export interface Engine {
  readonly config: Config;
  readonly url: string;
  readonly store: Store;
  readonly modules: ModuleHost;
  readonly executor: RunExecutor;
  readonly outbound: RunningOutbound;
  readonly conditions: ConditionWatcher;
  /** Resolves once no fire is being committed and no run is in flight. */
  settled(): Promise<void>;
  readonly timed: TimedConditions;
  readonly http: HttpServer;
  stop(): Promise<void>;
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const log = options.log ?? createLogger();
  const { loaded, registry } = await prepareConfig(options.configDir, { env: options.env, registry: options.registry });
  const { config } = loaded;
  const server = config.server;
  const dataDir = dataDirOf(config, loaded.dir, options.dataDir);
  const lock = lockDataDir(dataDir);
  // What started so far, undone last-first if a later step fails.
  const undo: (() => Promise<void> | void)[] = [() => lock.release()];
  try {
    const store = await openStore(databaseFile(dataDir), {
      durability: server.durability,
      lockWaitMs: server.lock_wait,
      maxBytes: server.max_database_size,
      maintenance: { onProblem: (message) => log.warn(message) },
      ...options.store,
    });
    undo.unshift(() => store.close());
    return await startParts({ options, config, registry, store, clock, ids, log, configDir: loaded.dir, dataDir, undo });
  } catch (error) {
    for (const step of undo) await step();
    throw error;
  }
}

interface PartsContext {
  options: EngineOptions;
  config: Config;
  registry: DriverRegistry;
  store: Store;
  clock: Clock;
  ids: IdSource;
  log: Logger;
  configDir: string;
  dataDir: string;
  undo: (() => Promise<void> | void)[];
}

async function startParts(context: PartsContext): Promise<Engine> {
  const { options, config, registry, store, clock, ids, log, undo } = context;
  const server = config.server;
  const catalog = new InstanceCatalog(config, await instanceSecrets(config, store, ids, clock));
  const metrics = new EngineMetrics({
    pendingDeliveries: () => store.outbox.pendingBySubscription(),
    databaseFiles: [databaseFile(context.dataDir), `${databaseFile(context.dataDir)}-wal`],
    now: () => clock.now(),
  });
  // The outbox before the modules: their events and state changes go into it.
  const outbound = await createOutbound({
    config,
    configDir: context.configDir,
    registry,
    store,
    clock,
    ids,
    log,
    telemetry: metrics,
  });
  const modules = new ModuleHost(config, registry, {
    clock,
    log: driverLogger(log.child({ component: 'module' })),
    events: outbound.outbox,
  });
  modules.onStateChange((change) => outbound.moduleStateChanged(change));
  metrics.watchModules(() => modules.all().map((m) => ({ system: m.systemId, module: m.address, status: m.status })));
  const mailer = config.mail ? createMailer(config.mail) : undefined;
  const sendMail = mailer && ((message: MailMessage) => mailer.send(message));
  undo.unshift(() => mailer?.close());
  // The delivery worker after the modules: subscription hooks call them.
  const worker = outbound.deliveries({ modules, sendMail });
  undo.unshift(() => modules.stopAll());
  await modules.startAll();
  const executor = new RunExecutor({
    runs: store.runs,
    store,
    modules,
    triggers: new Map(config.triggers.map((t) => [t.id, t])),
    clock,
    log,
    telemetry: metrics,
    sendMail,
    resumedInput: (run) => runInput(store, run),
    events: outbound.outbox,
  });
  undo.unshift(() => executor.drain(server.shutdown_timeout));
  const firer = new TriggerFirer({ store, executor, events: outbound.outbox, ids, clock, log });
  // Edges are taken until shutdown begins; a run finishing during the drain fires nothing new.
  let acceptingEdges = true;
  const watcher = new ConditionWatcher(
    catalog.all(),
    modules,
    (instance) => {
      if (!acceptingEdges) return;
      const input = { method: 'CONDITIONS', body: { cause: 'conditions' }, query: {}, headers: {} };
      firer
        .fire(instance, input, 'conditions')
        .catch((error: Error) => log.error({ instance: instance.id, reason: error.message }, 'conditions fire failed'));
    },
    new ConditionStatusRecorder(store, clock, log),
  );
  modules.onStateChange((change) => watcher.onStateChange(change));
  watcher.start();
  undo.unshift(() => void (acceptingEdges = false));
  const conditions = watcher;
  const timed = new TimedConditions({
    catalog,
    schedules: store.schedules,
    store,
    firer,
    clock,
    log,
    telemetry: metrics,
    holds: (instance) => conditions.holds(instance),
  });
  undo.unshift(() => timed.stop());
  await timed.start();
  const retention = new RetentionJob(store.retention, server.retention, clock, log);
  undo.unshift(() => retention.stop());
  retention.start();
  // Resumed runs start once conditions are watched, so the state they change is seen.
  await executor.resumeUnfinished();
  undo.unshift(() => outbound.stop(server.shutdown_timeout));
  worker.start();
  // Serving from here on: no query may freeze the event loop waiting for a lock.
  store.neverBlock();

  const notify = new NotifyRoute({
    catalog,
    store,
    storeFault: () => store.health.current?.kind,
    debouncer: new Debouncer(clock),
    firer,
    conditionsHold: (instance) => conditions.holds(instance),
    modules,
    clock,
    ids,
    log,
    telemetry: metrics,
    limits: {
      bodyLimit: server.body_limit,
      jsonDepth: server.json_depth,
      requestTimeoutMs: server.request_timeout,
    },
  });
  const readiness: ReadinessChecks = {
    store: () => store.readiness(),
    modules: () => modulesReadiness(modules),
    outbound: () => worker.liveness(),
  };
  const addresses = clientAddress(server.trust_proxy);
  const metricsAllowed = addressListMatcher(server.metrics_allow_from);
  const app = createApp({
    notify,
    log,
    addresses,
    maxConnectionsPerAddress: server.max_connections_per_address,
    readiness,
    metrics: { allows: (ip) => metricsAllowed(ip), text: () => metrics.text() },
  });
  const http: HttpServer = await listen(app, {
    port: options.port ?? server.port,
    host: options.host ?? server.host,
    limits: {
      requestTimeoutMs: server.request_timeout,
      headersTimeoutMs: server.headers_timeout,
      keepAliveTimeoutMs: server.keep_alive_timeout,
      maxHeaderSize: server.max_header_size,
      maxConnections: server.max_connections,
      maxConnectionsPerAddress: server.max_connections_per_address,
    },
    tls: server.tls && {
      cert: readFileSync(resolve(context.configDir, server.tls.cert)),
      key: readFileSync(resolve(context.configDir, server.tls.key)),
    },
    isProxy: (peer) => addresses.isProxy(peer),
    log,
  });
  // Requests are drained first: stop accepting, finish those in flight.
  undo.unshift(() => http.close(server.shutdown_timeout));
  recordAddress(context.dataDir, http.url);
  undo.splice(undo.length - 1, 0, () => forgetAddress(context.dataDir)); // just before the lock, which goes last
  log.info({ url: http.url, instances: config.instances.length, modules: modules.all().length }, 'switchboard started');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('switchboard stopping');
      for (const step of undo) await step();
      log.info('switchboard stopped');
    })());

  return {
    config,
    url: http.url,
    store,
    modules,
    executor,
    outbound: { ...outbound, worker },
    conditions,
    timed,
    http,
    settled: () => firer.settled(),
    stop,
  };
}

/** Modules are ready once each has started or failed; a failed one is named, but the rest of the engine serves. */
function modulesReadiness(modules: ModuleHost): { ok: boolean; detail: string } {
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
