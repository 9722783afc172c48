// `switchboard drivers`: every driver under drivers/, the --drivers folders and the packages
// the config's `drivers:` lists, read from its definition without starting it: where it came
// from, module name, description, methods with their arguments, webhook methods, events.
// What an operator needs to write `modules:` and `call:` in YAML.
import type { z } from 'zod';
import { formatProblem } from '../../config/problems.js';
import { describeSource, shownPath } from '../../drivers/driver-source.js';
import type { DriverFailure } from '../../drivers/registry.js';
import { withConfigPackages } from '../config-packages.js';
import { driversOption, loadDriverFolders } from '../driver-folders.js';
import { jsonSchemaOf } from '../json-schema.js';
import { configOption, jsonOption, type OptionValues } from '../options.js';

export const options = { ...configOption, ...jsonOption, ...driversOption } as const;

export async function drivers(values: OptionValues<typeof options>): Promise<number> {
  const { registry, problems } = await withConfigPackages(await loadDriverFolders(values), values);
  for (const driver of registry.drivers.values()) {
    const source = registry.source(driver.name);
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
          source: source ?? null,
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
    if (source) console.log(`  from     ${describeSource(source)}`);
    for (const m of methods)
      console.log(`  method   ${m.name}(${argNames(driver.methods[m.name]!.args)})${m.description ? `  ${m.description}` : ''}`);
    for (const w of webhooks)
      console.log(`  webhook  ${w.name}  (exec, ${w.timeout_ms} ms)${w.description ? `  ${w.description}` : ''}`);
    for (const e of events) console.log(`  event    ${e.type}  ${e.description}`);
  }
  for (const failure of registry.failures) console.error(`${folderOf(failure)}: could not be loaded: ${failure.reason}`);
  for (const problem of problems) console.error(formatProblem(problem));
  return registry.failures.length > 0 || problems.length > 0 ? 1 : 0;
}

/** The failed folder as the operator knows it: relative to the working directory when under it. */
function folderOf(failure: DriverFailure): string {
  return failure.path === undefined ? `drivers/${failure.folder}` : shownPath(failure.path);
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
