// Module addresses as PlaceOS writes them: the module name plus its 1-based position
// among the system's modules of that name (`Display_1`, `Display_2`).
import type { ModuleConfig } from '../config/schema.js';
import type { DriverRegistry } from './registry.js';

export function moduleAddresses(modules: readonly ModuleConfig[], registry: DriverRegistry): (string | undefined)[] {
  const counts = new Map<string, number>();
  return modules.map((module) => {
    const name = module.name ?? registry.get(module.driver)?.module;
    if (!name) return undefined;
    const index = (counts.get(name) ?? 0) + 1;
    counts.set(name, index);
    return `${name}_${index}`;
  });
}

/** `Display_1.power` → { address: 'Display_1', method: 'power' } */
export function splitTarget(target: string): { address: string; method: string } {
  const dot = target.indexOf('.');
  return { address: target.slice(0, dot), method: target.slice(dot + 1) };
}
