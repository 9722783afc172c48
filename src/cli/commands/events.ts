// `switchboard events`: the event catalogue a subscription can ask for: the engine's own
// types, those the drivers declare and those the config's `emit` actions name.
import { EventCatalog } from '../../outbound/event-catalog.js';
import { prepareConfig } from '../../prepare-config.js';
import { jsonSchemaOf } from '../json-schema.js';
import { driversOption, loadDriverFolders } from '../driver-folders.js';
import { configDirOf, configOption, jsonOption, type OptionValues } from '../options.js';

export const options = { ...configOption, ...jsonOption, ...driversOption } as const;

export async function events(values: OptionValues<typeof options>): Promise<number> {
  const { loaded, registry } = await prepareConfig(configDirOf(values), { registry: await loadDriverFolders(values) });
  const types = new EventCatalog(registry, loaded.config).all();
  if (values.json) {
    for (const { type, origin, description, data } of types)
      console.log(JSON.stringify({ type, origin, description, data: jsonSchemaOf(data) }));
    return 0;
  }
  const typeWidth = Math.max(...types.map((t) => t.type.length));
  const originWidth = Math.max(...types.map((t) => t.origin.length));
  for (const { type, origin, description } of types)
    console.log(`${type.padEnd(typeWidth)}  ${origin.padEnd(originWidth)}  ${description}`);
  return 0;
}
