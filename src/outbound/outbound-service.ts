// Assembles the outbound side: the event catalogue, who hears what, the outbox, the
// sender behind the address guard, and (once modules exist) the delivery worker with its hooks.
import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Config, SubscriptionConfig } from '../config/schema.js';
import type { ModuleHost } from '../drivers/module-host.js';
import type { StateChange } from '../drivers/module-instance.js';
import type { DriverRegistry } from '../drivers/registry.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import type { Store } from '../store/store.js';
import type { ActionContext } from '../triggers/actions/action-runner.js';
import { runActionList } from '../triggers/actions/run-action-list.js';
import { createAddressGuard } from './address-guard.js';
import { loadClientTls } from './client-tls.js';
import { DeliveryWorker } from './delivery-worker.js';
import type { EventSource } from './event.js';
import { EventCatalog } from './event-catalog.js';
import { HttpSender } from './http-sender.js';
import { Outbox } from './outbox.js';
import { boundedStateValue } from './state-change-data.js';
import { SubscriptionIndex } from './subscription-index.js';

/**
 * The outbound side before any module exists: the event catalogue, who hears what, and the
 * outbox every event goes into. The delivery worker, whose subscription hooks call modules,
 * comes after them (`deliveries`).
 */
export interface OutboundService {
  readonly catalog: EventCatalog;
  readonly index: SubscriptionIndex;
  /** The engine's one event sink. */
  readonly outbox: Outbox;
  /** A module's state changed: a module.state_changed event, for the subscriptions that hear it (built only then). */
  moduleStateChanged(change: StateChange): void;
  /**
   * Readies a reload's config (its outbound and mail sections unchanged): new subscriptions'
   * signing secrets made and kept, client certificates read. Rejects, changing nothing,
   * when that fails; the result applies it in one step: subscriptions, emit types, zones.
   */
  followConfig(config: Config): Promise<() => void>;
  /** Builds the delivery worker (once): it sends what the outbox queues and runs the subscriptions' hooks with `modules`. */
  deliveries(hooks: HookServices): DeliveryWorker;
  stop(timeoutMs: number): Promise<void>;
}

/** The outbound side once its delivery worker is built. */
export type RunningOutbound = OutboundService & { readonly worker: DeliveryWorker };

/** What subscription hooks (on_failure, on_exhausted) act with. */
export interface HookServices {
  modules: ModuleHost;
  sendMail?: ActionContext['sendMail'];
}

/** A new Standard Webhooks signing secret. */
export function generateSigningSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/** Each subscription's signing secrets: from the config, else generated once and kept. */
export async function subscriptionSecrets(config: Config, store: Store): Promise<Map<string, string[]>> {
  const missing = config.subscriptions.filter((s) => s.secret === undefined).map((s) => s.id);
  const generated = await store.outbox.ensureSecrets(missing, generateSigningSecret);
  return new Map(
    config.subscriptions.map((s) => [
      s.id,
      s.secret === undefined ? [generated.get(s.id)!] : typeof s.secret === 'string' ? [s.secret] : s.secret,
    ]),
  );
}

export interface OutboundDeps {
  config: Config;
  /** Where the config was read from: subscriptions' TLS files are relative to it (else to the working directory). */
  configDir?: string;
  registry: DriverRegistry;
  store: Store;
  clock: Clock;
  ids: IdSource;
  log: Logger;
  telemetry: Telemetry;
  /** This engine's node id: where the outbox is shared (PostgreSQL), its deliveries are leased to it. */
  node?: string;
}

export async function createOutbound(deps: OutboundDeps): Promise<OutboundService> {
  const { config, store, clock, log } = deps;
  const states = await store.outbox.subscriptionStates();
  const index = new SubscriptionIndex(
    config,
    states.filter((s) => s.disabled_at !== null).map((s) => s.subscription_id),
  );
  const catalog = new EventCatalog(deps.registry, config);
  // Read before anything starts: a certificate that cannot be read stops the engine here.
  const clientTls = loadClientTls(config.subscriptions, deps.configDir ?? process.cwd());
  const sender = new HttpSender(createAddressGuard({ allow: config.outbound.allow }), { proxy: config.outbound.proxy });
  const outbox = new Outbox({ store, index, catalog, ids: deps.ids, clock });
  const secrets = await subscriptionSecrets(config, store);

  // For events that must not break what caused them: logged instead of thrown.
  const emitQuietly = async (type: string, source: EventSource, data: Record<string, unknown>) => {
    await outbox.emit(type, source, data).then(
      () => undefined,
      (error: Error) => log.error({ type, reason: error.message }, 'event could not be emitted'),
    );
  };
  const disable = async (subscription: SubscriptionConfig, reason: string) => {
    if (index.isDisabled(subscription.id)) return;
    // Stored first: the worker's refresh reads the store and must not see it enabled again.
    await store.commit([{ kind: 'subscription_disabled', subscriptionId: subscription.id, at: clock.now(), reason }]);
    index.setDisabled(subscription.id, true);
    log.warn({ subscription: subscription.id, reason }, 'subscription disabled');
    await emitQuietly(
      'subscription.disabled',
      { subscription: subscription.id },
      { subscription: subscription.id, url: subscription.url, reason },
    );
  };

  let worker: DeliveryWorker | undefined;
  return {
    catalog,
    index,
    outbox,
    moduleStateChanged(change) {
      const source = { system: change.systemId, module: change.address };
      if (index.matching({ type: 'module.state_changed', source }).length === 0) return;
      void emitQuietly('module.state_changed', source, {
        system: change.systemId,
        module: change.address,
        key: change.key,
        old: boundedStateValue(change.old),
        new: boundedStateValue(change.new),
      });
    },
    async followConfig(next) {
      const nextSecrets = await subscriptionSecrets(next, store);
      const nextTls = loadClientTls(next.subscriptions, deps.configDir ?? process.cwd());
      return () => {
        catalog.learn(next);
        index.placeSystems(next);
        index.replaceSubscriptions(next.subscriptions);
        // The worker holds these maps: they change in place. Deliveries already queued keep
        // their url; those of a removed subscription fail as "no longer in the config".
        replaceAll(secrets, nextSecrets);
        replaceAll(clientTls, nextTls);
      };
    },
    deliveries(hooks) {
      if (worker) throw new Error('the delivery worker is built once');
      const built = new DeliveryWorker({
        repo: store.outbox,
        store,
        index,
        sender,
        clock,
        log,
        telemetry: deps.telemetry,
        secrets,
        clientTls,
        concurrency: config.outbound.concurrency,
        leaseOwner: store.outbox.leases ? deps.node : undefined,
        responseLimit: config.outbound.response_limit,
        exhaustedInARow: new Map(states.map((s) => [s.subscription_id, Number(s.consecutive_exhausted)])),
        disable,
        async refreshDisabled() {
          const disabled = new Set(
            (await store.outbox.subscriptionStates()).filter((s) => s.disabled_at !== null).map((s) => s.subscription_id),
          );
          for (const subscription of index.all()) index.setDisabled(subscription.id, disabled.has(subscription.id));
        },
        async runHook(actions, { subscription, body }) {
          if (actions.length === 0) return;
          const failures = await runActionList(actions, {
            systemId: subscription.system,
            input: { method: 'POST', body, query: {}, headers: {} },
            modules: hooks.modules,
            clock,
            sendMail: hooks.sendMail,
            emit: async (type, data) =>
              void (await outbox.emit(type, { system: subscription.system, subscription: subscription.id }, data)),
          });
          if (failures.length > 0) log.warn({ subscription: subscription.id, failures }, 'subscription hook action failed');
        },
      });
      outbox.onQueued((subscriptions) => built.queued(subscriptions));
      worker = built;
      return built;
    },
    async stop(timeoutMs) {
      await worker?.stop(timeoutMs);
      sender.close();
    },
  };
}

function replaceAll<K, V>(target: Map<K, V>, source: ReadonlyMap<K, V>): void {
  target.clear();
  for (const [key, value] of source) target.set(key, value);
}
