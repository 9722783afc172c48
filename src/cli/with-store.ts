// Opens the store of the config's data directory for one command and always closes it:
// the open / try / finally every command that reads or writes the store would repeat.
import { dataDirOf } from '../config/data-dir.js';
import { loadConfig, type LoadedConfig } from '../config/load-config.js';
import { openConfiguredStore } from '../open-store.js';
import type { Store } from '../store/store.js';
import { configDirOf, type StoreValues } from './options.js';

export async function withStore<T>(
  values: StoreValues,
  use: (store: Store, loaded: LoadedConfig) => Promise<T>,
  loaded: LoadedConfig = loadConfig(configDirOf(values)),
): Promise<T> {
  const store = await openConfiguredStore(loaded.config.server, dataDirOf(loaded.config, loaded.dir, values.data));
  try {
    return await use(store, loaded);
  } finally {
    await store.close();
  }
}
