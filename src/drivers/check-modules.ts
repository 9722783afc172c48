// Config checks that need the drivers: drivers exist, settings match their schemas, every
// `call` action names a module and method its instances' systems have with arguments the
// method takes, and every compare reads a module (and state) those systems have. Reads what
// passed the schema, so it runs whatever else the schema refused.
import { argumentProblems, type TemplateUse } from '../config/argument-problems.js';
import { tookWhole, type ConfigParts } from '../config/config-parts.js';
import type { Locate } from '../config/load-config.js';
import { formatPath, type ConfigPath, type Problem } from '../config/problems.js';
import type { ConditionConfig } from '../config/conditions-schema.js';
import type { ActionConfig } from '../config/schema.js';
import { describeIssues } from '../config/schema-issues.js';
import { keysAt } from '../config/schema-walk.js';
import { shortList } from '../config/short-list.js';
import { keyAdvice } from '../config/unknown-key.js';
import type { Driver } from './api.js';
import { moduleAddresses, splitTarget } from './addresses.js';
import type { DriverRegistry } from './registry.js';

export interface ModuleCheckOptions {
  /** How a string uses template expressions (the template syntax is the triggers' to define). */
  templateUse(text: string): TemplateUse;
}

export function checkModules(
  config: ConfigParts,
  locate: Locate,
  registry: DriverRegistry,
  options: ModuleCheckOptions,
): Problem[] {
  const problems: Problem[] = [];
  /** System id → module address → driver name, for systems whose every module passed the schema. */
  const addressesBySystem = new Map<string, Map<string, string>>();
  /** Systems with a module the schema refused or of an unknown driver: their addresses cannot be known. */
  const unknowable = new Set<string>();

  config.systems.forEach((system, i) => {
    const modules = system.modules ?? [];
    modules.forEach((module, j) => {
      if (module === undefined) return;
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
      if (!settings.success)
        for (const { path, message } of describeIssues(settings.error.issues, driver.settings, true))
          problems.push(locate(['systems', i, 'modules', j, 'settings', ...path], `${driver.name} settings: ${message}`));
    });
    if (system.id === undefined) return;
    // An address counts the modules of its name before it, so one module of unknown name hides them all.
    if (!tookWhole(system) || system.modules.some((m) => m.name === undefined && !registry.get(m.driver))) {
      unknowable.add(system.id);
      return;
    }
    const addresses = moduleAddresses(system.modules, registry);
    const byAddress = new Map<string, string>();
    system.modules.forEach((module, j) => byAddress.set(addresses[j]!, module.driver));
    addressesBySystem.set(system.id, byAddress);
  });

  /** Actions whose arguments were checked against a driver: an action run by many instances is checked once per driver. */
  const argumentsChecked = new Set<string>();
  const checkCall = (action: ActionConfig, path: ConfigPath, systemId: string | undefined, who: string) => {
    if (action.kind !== 'call') return;
    const target = action.system ?? systemId;
    if (!target) {
      problems.push(locate([...path, 'call'], `${who} has no system of its own; give \`system:\` on the action`));
      return;
    }
    if (unknowable.has(target)) return;
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
    const driver = registry.get(driverName);
    // A module of an unknown driver (named with `name:`) is reported at its driver.
    if (!driver) return;
    if (!Object.hasOwn(driver.methods, method)) {
      problems.push(
        locate(
          [...path, 'call'],
          `${address} (driver ${driverName}) has no method "${method}"; it has: ${shortList(Object.keys(driver.methods))}`,
        ),
      );
      return;
    }
    const checked = `${formatPath(path)}\n${driverName}`;
    if (argumentsChecked.has(checked)) return;
    argumentsChecked.add(checked);
    for (const problem of argumentProblems(action.args, driver.methods[method]!.args, options.templateUse))
      problems.push(locate([...path, 'args', ...problem.path], `${action.call}: ${problem.message}`));
  };

  const checkCompare = (condition: ConditionConfig, path: ConfigPath, system: string, who: string) => {
    if (condition.kind !== 'compare') return;
    const modules = addressesBySystem.get(system);
    if (!modules) return;
    for (const side of ['left', 'right'] as const) {
      const operand = condition.compare[side];
      if (operand.kind !== 'state') continue;
      const driverName = modules.get(operand.address);
      if (!driverName) {
        problems.push(
          locate(
            [...path, 'compare', side],
            `${who} reads ${operand.path} on system "${system}", which has no module ${operand.address}; it has: ${shortList([...modules.keys()])}`,
          ),
        );
        continue;
      }
      const driver = registry.get(driverName);
      const stateProblem = driver && unknownStateProblem(driver, operand.address, operand.key);
      if (stateProblem) problems.push(locate([...path, 'compare', side], stateProblem));
    }
  };

  const triggerIndex = new Map(config.triggers.map((t, i) => [t.id, i]));
  config.instances.forEach((instance, n) => {
    if (instance.trigger === undefined || instance.system === undefined) return;
    const t = triggerIndex.get(instance.trigger);
    const system = instance.system;
    if (t === undefined || !(addressesBySystem.has(system) || unknowable.has(system))) return;
    const trigger = config.triggers[t]!;
    const who = `instance "${instance.id ?? `instances[${n}]`}"`;
    trigger.actions?.forEach((action, a) => {
      if (action) checkCall(action, ['triggers', t, 'actions', a], system, who);
    });
    trigger.conditions?.forEach((condition, c) => {
      if (condition) checkCompare(condition, ['triggers', t, 'conditions', c], system, who);
    });
  });
  config.subscriptions.forEach((subscription, i) => {
    // A refused subscription may have refused its system: where its actions run is not known.
    const system = subscription.system;
    if (system === undefined && !tookWhole(subscription)) return;
    const who = `subscription "${subscription.id ?? `subscriptions[${i}]`}"`;
    for (const hook of ['on_failure', 'on_exhausted'] as const) {
      subscription[hook]?.forEach((action, a) => {
        if (action) checkCall(action, ['subscriptions', i, hook, a], system, who);
      });
    }
  });
  return problems;
}

/** A compare reading a state key the driver does not declare, with the nearest one it does. */
function unknownStateProblem(driver: Driver, address: string, key: string): string | undefined {
  const keys = keysAt(driver.state, []);
  // A driver whose state is not an object of declared keys (a record, say) may hold any key.
  if (keys.length === 0 || keys.includes(key)) return undefined;
  const advice = keyAdvice(key, keys);
  return `${address} (driver ${driver.name}) has no state "${key}" (it has: ${shortList(keys)})${advice ? `; ${advice}` : ''}`;
}
