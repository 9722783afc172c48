// What the admin API's routes are built with: the engine's parts an operator watches and
// changes, named, so a route's reads and writes can be followed by its imports.
import type { Clock } from '../clock.js';
import type { ModuleHost } from '../drivers/module-host.js';
import type { DriverRegistry } from '../drivers/registry.js';
import type { PartReadiness } from '../http/readiness.js';
import type { IdSource } from '../ids.js';
import type { Logger } from '../logger.js';
import type { LiveConfig } from '../reload/live-config.js';
import type { StoredConfigs } from '../reload/stored-config.js';
import type { Store } from '../store/store.js';
import type { TriggerFirer } from '../triggers/trigger-firer.js';

export interface AdminApiDeps {
  live: LiveConfig;
  store: Store;
  registry: DriverRegistry;
  clock: Clock;
  /** Makes a rotation's new secret. */
  ids: IdSource;
  log: Logger;
  /** This engine's node id, and when it started (ms). */
  node: string;
  startedAt: number;
  /** `sqlite` or `postgres`. */
  storeKind: string;
  readiness(): Record<string, PartReadiness>;
  /** Where trigger URLs are reached: server.public_url, else the trigger listener's own address. */
  triggerBase(): string;
  /** Config generations read back from the store (traces, replays). */
  configs: StoredConfigs;
  /** Test fires and replays fire through the same firer as requests. */
  firer: TriggerFirer;
  modules: ModuleHost;
}

/** A stored time (ms) as ISO 8601; null stays null. */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();
}
