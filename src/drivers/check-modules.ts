// Config checks that need the drivers: drivers exist, settings match their schemas,
// and every `call` action names a module and method its instances' systems have.
import { shortList } from '../config/short-list.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { Problem } from '../config/problems.js';
import type { ActionConfig } from '../config/schema.js';
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
        problems.push(
          locate(
            ['systems', i, 'modules', j, 'driver'],
            `driver "${module.driver}" does not exist; available drivers: ${shortList(registry.names())}`,
          ),
        );
        return;
      }
      const settings = driver.settings.safeParse(module.settings);
      if (!settings.success) {
        for (const issue of settings.error.issues) {
          problems.push(
            locate(
              ['systems', i, 'modules', j, 'settings', ...(issue.path as (string | number)[])],
              `${driver.name} settings: ${issue.message}`,
            ),
          );
        }
      }
      byAddress.set(addresses[j]!, module.driver);
    });
    addressesBySystem.set(system.id, byAddress);
  });

  const checkCall = (action: ActionConfig, path: (string | number)[], systemId: string | undefined, who: string) => {
    if (action.kind !== 'call') return;
    const target = action.system ?? systemId;
    if (!target) {
      problems.push(locate([...path, 'call'], `${who} has no system of its own; give \`system:\` on the action`));
      return;
    }
    const modules = addressesBySystem.get(target);
    if (!modules) {
      problems.push(locate([...path, 'system'], `system "${target}" does not exist`));
      return;
    }
    const { address, method } = splitTarget(action.call);
    const driverName = modules.get(address);
    if (!driverName) {
      problems.push(
        locate(
          [...path, 'call'],
          `${who} runs this on system "${target}", which has no module ${address}; it has: ${shortList([...modules.keys()])}`,
        ),
      );
      return;
    }
    const driver = registry.get(driverName)!;
    if (!Object.hasOwn(driver.methods, method)) {
      problems.push(
        locate(
          [...path, 'call'],
          `${address} (driver ${driverName}) has no method "${method}"; it has: ${shortList(Object.keys(driver.methods))}`,
        ),
      );
    }
  };

  const triggerIndex = new Map(config.triggers.map((t, i) => [t.id, i]));
  for (const instance of config.instances) {
    const t = triggerIndex.get(instance.trigger);
    if (t === undefined || !addressesBySystem.has(instance.system)) continue;
    const trigger = config.triggers[t]!;
    trigger.actions.forEach((action, a) =>
      checkCall(action, ['triggers', t, 'actions', a], instance.system, `instance "${instance.id}"`),
    );
    const modules = addressesBySystem.get(instance.system)!;
    trigger.conditions.forEach((condition, c) => {
      if (condition.kind !== 'compare') return;
      for (const side of ['left', 'right'] as const) {
        const operand = condition.compare[side];
        if (operand.kind === 'state' && !modules.has(operand.address)) {
          problems.push(
            locate(
              ['triggers', t, 'conditions', c, 'compare', side],
              `instance "${instance.id}" reads ${operand.path} on system "${instance.system}", which has no module ${operand.address}; it has: ${shortList([...modules.keys()])}`,
            ),
          );
        }
      }
    });
  }
  config.subscriptions.forEach((subscription, i) => {
    for (const hook of ['on_failure', 'on_exhausted'] as const) {
      subscription[hook].forEach((action, a) =>
        checkCall(action, ['subscriptions', i, hook, a], subscription.system, `subscription "${subscription.id}"`),
      );
    }
  });
  return problems;
}
