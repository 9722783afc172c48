// `switchboard drivers`: every driver under drivers/ and the --drivers folders, read from its
// definition without starting it: module name, description, methods with their arguments,
// webhook methods, events. What an operator needs to write `modules:` and `call:` in YAML.
import { relative } from 'node:path';
import type { z } from 'zod';
import type { DriverFailure } from '../../drivers/registry.js';
import { driversOption, loadDriverFolders } from '../driver-folders.js';
import { jsonSchemaOf } from '../json-schema.js';
import { jsonOption, type OptionValues } from '../options.js';

export const options = { ...jsonOption, ...driversOption } as const;

export async function drivers(values: OptionValues<typeof options>): Promise<number> {
  const registry = await loadDriverFolders(values);
  for (const driver of registry.drivers.values()) {
    const methods = Object.entries(driver.methods).map(([name, m]) => ({
      name,
      description: m.description ?? null,
      args: jsonSchemaOf(m.args, 'input'),
    }));
    const webhooks = Object.entries(driver.webhooks).map(([name, w]) => ({
      name,
      description: w.description ?? null,
      timeout_ms: w.timeoutMs ?? 10_000,
    }));
    const events = Object.entries(driver.events).map(([type, e]) => ({
      type,
      description: e.description,
      data: jsonSchemaOf(e.data),
    }));
    if (values.json) {
      console.log(
        JSON.stringify({
          name: driver.name,
          module: driver.module,
          description: driver.description,
          settings: jsonSchemaOf(driver.settings, 'input'),
          methods,
          webhooks,
          events,
        }),
      );
      continue;
    }
    console.log(`${driver.name}  (modules ${driver.module}_1, ${driver.module}_2, …)  ${driver.description}`);
    for (const m of methods)
      console.log(`  method   ${m.name}(${argNames(driver.methods[m.name]!.args)})${m.description ? `  ${m.description}` : ''}`);
    for (const w of webhooks)
      console.log(`  webhook  ${w.name}  (exec, ${w.timeout_ms} ms)${w.description ? `  ${w.description}` : ''}`);
    for (const e of events) console.log(`  event    ${e.type}  ${e.description}`);
  }
  for (const failure of registry.failures) console.error(`${folderOf(failure)}: could not be loaded: ${failure.reason}`);
  return registry.failures.length > 0 ? 1 : 0;
}

/** The failed folder as the operator knows it: relative to the working directory when under it. */
function folderOf(failure: DriverFailure): string {
  if (failure.path === undefined) return `drivers/${failure.folder}`;
  const shown = relative(process.cwd(), failure.path);
  return shown === '' || shown.startsWith('..') ? failure.path : shown;
}

/** `state, input?` from an object schema's keys; optional ones marked. */
function argNames(args: z.ZodType): string {
  const schema = jsonSchemaOf(args, 'input') as { properties?: Record<string, unknown>; required?: string[] } | null;
  if (!schema?.properties) return '';
  const required = new Set(schema.required ?? []);
  return Object.keys(schema.properties)
    .map((key) => (required.has(key) ? key : `${key}?`))
    .join(', ');
}
