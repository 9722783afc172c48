// `switchboard check`: validates a config directory without starting anything, notes the
// settings written in a deprecated spelling, and says which overrides kept in the store (an
// instance disabled from the admin API or the CLI) shadow a value of this YAML. The store
// is only read: check never creates or migrates one.
import { dataDirOf } from '../../config/data-dir.js';
import { deprecationNotes } from '../../config/deprecation-notes.js';
import { formatProblem } from '../../config/problems.js';
import { storedOverrides } from '../../open-store.js';
import { shadowNotes } from '../../overrides/overrides.js';
import { prepareConfig } from '../../prepare-config.js';
import { driversOption, loadDriverFolders } from '../driver-folders.js';
import { configDirOf, storeOptions, type OptionValues } from '../options.js';

export const options = { ...storeOptions, ...driversOption } as const;

export async function check(values: OptionValues<typeof options>): Promise<number> {
  const registry = await loadDriverFolders(values);
  const { loaded } = await prepareConfig(configDirOf(values), { registry });
  const { config } = loaded;
  const modules = config.systems.reduce((n, s) => n + s.modules.length, 0);
  console.log(
    `${loaded.dir}: OK (${config.zones.length} zones, ${config.systems.length} systems, ${modules} modules, ${config.triggers.length} triggers, ${config.instances.length} instances)`,
  );
  for (const note of deprecationNotes(config, loaded.locate)) console.log(`note: ${formatProblem(note)}`);
  try {
    const overrides = await storedOverrides(config.server, dataDirOf(config, loaded.dir, values.data));
    for (const note of shadowNotes(config, overrides ?? [])) console.log(`note: override shadows the YAML: ${note}`);
  } catch (error) {
    // The config is valid whatever the store says: its overrides are a note, not a problem.
    console.log(`note: the overrides in the store could not be read (${(error as Error).message})`);
  }
  return 0;
}
