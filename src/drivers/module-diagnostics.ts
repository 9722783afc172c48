// What an operator is shown of a module that runs here (`switchboard modules`, written with
// each heartbeat so the CLI reads it from the store, for every node): its status, why it
// failed, its device connection and the commands queued on it where its driver keeps one
// (a `tcp` link), and its settings with secrets redacted.
import type { ModuleInstance, ModuleStatus } from './module-instance.js';
import { shownSettings } from './secret-setting.js';

export interface ModuleDiagnostics {
  system: string;
  module: string;
  driver: string;
  status: ModuleStatus;
  /** Why it failed to start, or why its device connection is offline. */
  error: string | null;
  /** Its device connection, for a driver with a link (`tcp`); null otherwise. */
  connection: 'online' | 'offline' | null;
  /** The commands its link holds, waiting or in flight; null without a link. */
  queue_depth: number | null;
  settings: unknown;
}

export function diagnose(module: ModuleInstance): ModuleDiagnostics {
  return {
    system: module.systemId,
    module: module.address,
    driver: module.driver.name,
    status: module.status,
    error: module.failure ?? module.connectionError ?? null,
    connection: module.connection ?? null,
    queue_depth: module.queueDepth ?? null,
    settings: shownSettings(module.driver.settings, module.settings),
  };
}
