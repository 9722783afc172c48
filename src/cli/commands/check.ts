// `switchboard check`: validates a config directory without starting anything.
import { prepareConfig } from '../../prepare-config.js';
import { driversOption, loadDriverFolders } from '../driver-folders.js';
import { configDirOf, configOption, type OptionValues } from '../options.js';

export const options = { ...configOption, ...driversOption } as const;

export async function check(values: OptionValues<typeof options>): Promise<number> {
  const registry = await loadDriverFolders(values);
  const { loaded } = await prepareConfig(configDirOf(values), { registry });
  const { config } = loaded;
  const modules = config.systems.reduce((n, s) => n + s.modules.length, 0);
  console.log(
    `${loaded.dir}: OK (${config.zones.length} zones, ${config.systems.length} systems, ${modules} modules, ${config.triggers.length} triggers, ${config.instances.length} instances)`,
  );
  return 0;
}
