// `switchboard check`: validates a config directory without starting anything.
import { prepareConfig } from '../../prepare-config.js';
import { configDirOf, type CliOptions } from '../options.js';

export async function check(values: CliOptions): Promise<number> {
  const { loaded } = await prepareConfig(configDirOf(values));
  const { config } = loaded;
  const modules = config.systems.reduce((n, s) => n + s.modules.length, 0);
  console.log(
    `${loaded.dir}: OK (${config.zones.length} zones, ${config.systems.length} systems, ${modules} modules, ${config.triggers.length} triggers, ${config.instances.length} instances)`,
  );
  return 0;
}
