// Config checks that need the drivers: drivers exist, settings match their schemas,
// and every `call` action names a module and method its instances' systems have.
import type { LoadedConfig } from '../config/load-config.js';
import type { Problem } from '../config/problems.js';
import { moduleAddresses, splitTarget } from './addresses.js';
import type { DriverRegistry } from './registry.js';

export function checkModules(loaded: LoadedConfig, registry: DriverRegistry): Problem[] {
  const { config, locate } = loaded;
  const problems: Problem[] = [];
  const addressesBySystem = new Map<string, Map<string, string>>();

  config.systems.forEach((system, i) => {
    const addresses = moduleAddresses(system.modules, registry);
    const byAddress = new Map<string, string>();
    system.modules.forEach((module, j) => {
      const driver = registry.get(module.driver);
      if (!driver) {
        problems.push(locate(['systems', i, 'modules', j, 'driver'], `driver "${module.driver}" does not exist; available drivers: ${registry.names().join(', ') || '(none)'}`));
        return;
      }
      const settings = driver.settings.safeParse(module.settings);
      if (!settings.success) {
        for (const issue of settings.error.issues) {
          problems.push(locate(['systems', i, 'modules', j, 'settings', ...(issue.path as (string | number)[])], `${driver.name} settings: ${issue.message}`));
        }
      }
      byAddress.set(addresses[j]!, module.driver);
    });
    addressesBySystem.set(system.id, byAddress);
  });

  const triggerIndex = new Map(config.triggers.map((t, i) => [t.id, i]));
  for (const instance of config.instances) {
    const t = triggerIndex.get(instance.trigger);
    const modules = addressesBySystem.get(instance.system);
    if (t === undefined || !modules) continue;
    config.triggers[t]!.actions.forEach((action, a) => {
      if (action.kind !== 'call') return;
      const { address, method } = splitTarget(action.call);
      const driverName = modules.get(address);
      if (!driverName) {
        problems.push(locate(['triggers', t, 'actions', a, 'call'], `instance "${instance.id}" runs this on system "${instance.system}", which has no module ${address}; it has: ${[...modules.keys()].join(', ') || '(none)'}`));
        return;
      }
      const driver = registry.get(driverName)!;
      if (!Object.hasOwn(driver.methods, method)) {
        problems.push(locate(['triggers', t, 'actions', a, 'call'], `${address} (driver ${driverName}) has no method "${method}"; it has: ${Object.keys(driver.methods).join(', ')}`));
      }
    });
  }
  return problems;
}
