// Opens the store of the config's data directory for one command and always closes it:
// the open / try / finally every command that reads or writes the store would repeat.
import { dataDirOf } from '../config/data-dir.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { databaseFile, openStore, type Store } from '../store/store.js';
import { configDirOf, type StoreValues } from './options.js';

export async function withStore<T>(
  values: StoreValues,
  use: (store: Store, loaded: LoadedConfig) => Promise<T>,
  loaded: LoadedConfig = loadConfig(configDirOf(values)),
): Promise<T> {
  const file = databaseFile(dataDirOf(loaded.config, loaded.dir, values.data));
  const store = await openStore(file, { durability: loaded.config.server.durability });
  try {
    return await use(store, loaded);
  } finally {
    await store.close();
  }
}
