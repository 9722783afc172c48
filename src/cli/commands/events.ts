// `switchboard events`: the event catalogue a subscription can ask for: the engine's own
// types, those the drivers declare and those the config's `emit` actions name.
import { z } from 'zod';
import { EventCatalog } from '../../outbound/event-catalog.js';
import { prepareConfig } from '../../prepare-config.js';
import { configDirOf, type CliOptions } from '../options.js';

export async function events(values: CliOptions): Promise<number> {
  const { loaded, registry } = await prepareConfig(configDirOf(values));
  const types = new EventCatalog(registry, loaded.config).all();
  if (values.json) {
    for (const { type, origin, description, data } of types) console.log(JSON.stringify({ type, origin, description, data: schemaOf(data) }));
    return 0;
  }
  const typeWidth = Math.max(...types.map((t) => t.type.length));
  const originWidth = Math.max(...types.map((t) => t.origin.length));
  for (const { type, origin, description } of types) console.log(`${type.padEnd(typeWidth)}  ${origin.padEnd(originWidth)}  ${description}`);
  return 0;
}

/** The data's JSON Schema, or null for a schema JSON Schema cannot say. */
function schemaOf(data: z.ZodType): unknown {
  try {
    return z.toJSONSchema(data, { unrepresentable: 'any', io: 'output' });
  } catch {
    return null;
  }
}
