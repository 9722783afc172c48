// Reads a compare operand: a constant, or a path into a module's state in the instance's system.
import type { Operand } from '../../config/conditions-schema.js';
import type { ModuleHost } from '../../drivers/module-host.js';

export function readOperand(operand: Operand, systemId: string, modules: ModuleHost): unknown {
  if (operand.kind === 'constant') return operand.value;
  let value: unknown = modules.find(systemId, operand.address)?.currentState[operand.key];
  for (const segment of operand.rest) {
    if (value === null || typeof value !== 'object') return undefined;
    if (Object.hasOwn(value, segment)) value = (value as Record<string, unknown>)[segment];
    // `count` of a list or a map, as in `Meraki_1.clients.count`, when it holds no such key.
    else if (segment === 'count') value = Array.isArray(value) ? value.length : Object.keys(value).length;
    else return undefined;
  }
  return value;
}
