// The composition root: config, store, modules, runs and the HTTP server, started and
// stopped through one lifecycle so SIGTERM drains cleanly.
import { resolve } from 'node:path';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config/schema.js';
import { ModuleHost } from './drivers/module-host.js';
import type { DriverRegistry } from './drivers/registry.js';
import { createApp } from './http/app.js';
import { listen, type HttpServer } from './http/http-server.js';
import { randomIds, type IdSource } from './ids.js';
import { NotifyHandler } from './inbound/notify-handler.js';
import { createMailer } from './outbound/mailer.js';
import { boundedStateValue } from './outbound/state-change-data.js';
import { createOutbound, type OutboundService } from './outbound/outbound-service.js';
import type { MailMessage } from './triggers/actions/action-runner.js';
import { createLogger, driverLogger, type Logger } from './logger.js';
import { prepareConfig } from './prepare-config.js';
import { RetentionJob } from './retention-job.js';
import { databaseFile, openStore, type Store } from './store/store.js';
import { Debouncer } from './triggers/debouncer.js';
import { InstanceCatalog } from './triggers/instance-catalog.js';
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
}

export interface Engine {
  readonly config: Config;
  readonly url: string;
  readonly store: Store;
  readonly modules: ModuleHost;
  readonly executor: RunExecutor;
  readonly outbound: OutboundService;
  readonly conditions: ConditionWatcher;
  /** Resolves once no fire is being committed and no run is in flight. */
  settled(): Promise<void>;
  readonly timed: TimedConditions;
  stop(): Promise<void>;
}

/** The data directory: from the options, else the config's, relative to the config directory. */
export function dataDirOf(config: Config, configDir: string, override?: string): string {
  return override ? resolve(override) : resolve(configDir, config.server.data_dir);
}

/** Generated secrets for instances whose config gives none, made once and kept. */
export async function instanceSecrets(config: Config, store: Store, ids: IdSource, clock: Clock): Promise<Map<string, string>> {
  const missing = config.instances.filter((i) => i.secret === undefined).map((i) => i.id);
  return store.secrets.ensure(missing, () => ids.secret(), clock.now());
}

export async function startEngine(options: EngineOptions): Promise<Engine> {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? randomIds;
  const log = options.log ?? createLogger();
  const { loaded, registry } = await prepareConfig(options.configDir, { env: options.env, registry: options.registry });
  const { config } = loaded;
  const server = config.server;

  const store = await openStore(databaseFile(dataDirOf(config, loaded.dir, options.dataDir)), server.durability);
  const catalog = new InstanceCatalog(config, await instanceSecrets(config, store, ids, clock));
  // Modules and the outbound side need each other (state changes become events; hooks
  // call modules), so modules reach it through this binding, set before they start.
  let outbound: OutboundService | undefined;
  let watcher: ConditionWatcher | undefined;
  const modules = new ModuleHost(config, registry, {
    clock,
    log: driverLogger(log.child({ component: 'module' })),
    onStateChange: (change) => {
      watcher?.onStateChange(change);
      const source = { system: change.systemId, module: change.address };
      if (!outbound?.hears('module.state_changed', source)) return;
      const data = {
        system: change.systemId,
        module: change.address,
        key: change.key,
        old: boundedStateValue(change.old),
        new: boundedStateValue(change.new),
      };
      void outbound.emitQuietly('module.state_changed', source, data);
    },
    emit: async (source, type, data) =>
      void (await outbound?.outbox.emit(type, { system: source.systemId, module: source.address, driver: source.driver }, data)),
  });
  const mailer = config.mail ? createMailer(config.mail) : undefined;
  const sendMail = mailer && ((message: MailMessage) => mailer.send(message));
  outbound = await createOutbound({ config, registry, store, modules, clock, ids, log, sendMail });
  await modules.startAll();
  const executor = new RunExecutor({
    runs: store.runs,
    modules,
    triggers: new Map(config.triggers.map((t) => [t.id, t])),
    clock,
    log,
    sendMail,
    emit: async (source, type, data) => void (await outbound!.outbox.emit(type, source, data)),
  });
  const firer = new TriggerFirer({ runs: store.runs, executor, events: outbound.outbox, ids, clock, log });
  // Edges are taken until shutdown begins; a run finishing during the drain fires nothing new.
  let acceptingEdges = true;
  watcher = new ConditionWatcher(catalog.all(), modules, (instance) => {
    if (!acceptingEdges) return;
    const input = { method: 'CONDITIONS', body: { cause: 'conditions' }, query: {}, headers: {} };
    firer
      .fire(instance, input, 'conditions')
      .catch((error: Error) => log.error({ instance: instance.id, reason: error.message }, 'conditions fire failed'));
  });
  watcher.start();
  const conditions = watcher;
  const timed = new TimedConditions({
    catalog,
    schedules: store.schedules,
    firer,
    clock,
    log,
    holds: (instance) => conditions.holds(instance),
  });
  await timed.start();
  const retention = new RetentionJob(store.retention, server.retention, clock, log);
  retention.start();
  // Resumed runs start once conditions are watched, so the state they change is seen.
  await executor.resumeUnfinished();
  outbound.worker.start();

  const notify = new NotifyHandler({
    catalog,
    store,
    debouncer: new Debouncer(clock),
    firer,
    conditionsHold: (instance) => conditions.holds(instance),
    modules,
    clock,
    ids,
    log,
    bodyLimit: server.body_limit,
    logBodyLimit: server.log_body_limit,
  });
  let http: HttpServer;
  try {
    http = await listen(createApp({ notify, log }), options.port ?? server.port, options.host ?? server.host);
  } catch (error) {
    await retention.stop();
    await timed.stop();
    await outbound.stop(0);
    await modules.stopAll();
    await store.close();
    throw error;
  }
  log.info({ url: http.url, instances: config.instances.length, modules: modules.all().length }, 'switchboard started');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      log.info('switchboard stopping');
      acceptingEdges = false;
      await retention.stop();
      await timed.stop();
      await http.close(server.shutdown_timeout);
      await executor.drain(server.shutdown_timeout);
      await outbound!.stop(server.shutdown_timeout);
      await modules.stopAll();
      mailer?.close();
      await store.close();
      log.info('switchboard stopped');
    })());

  return { config, url: http.url, store, modules, executor, outbound, conditions, timed, settled: () => firer.settled(), stop };
}
