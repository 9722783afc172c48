// What an operator is shown of a module that runs here (`switchboard modules`, written with
// each heartbeat so the CLI reads it from the store, for every node): its status, why it
// failed, its connection where its driver keeps one, and its settings with secrets redacted.
import type { ModuleInstance, ModuleStatus } from './module-instance.js';
import { shownSettings } from './secret-setting.js';

export interface ModuleDiagnostics {
  system: string;
  module: string;
  driver: string;
  status: ModuleStatus;
  /** Why it failed to start, or the last error its connection met. */
  error: string | null;
  settings: unknown;
}

export function diagnose(module: ModuleInstance): ModuleDiagnostics {
  return {
    system: module.systemId,
    module: module.address,
    driver: module.driver.name,
    status: module.status,
    error: module.failure ?? null,
    settings: shownSettings(module.driver.settings, module.settings),
  };
}
