// `switchboard migrate`: creates or updates the database schema and says what ran.
import { loadConfig } from '../../config/load-config.js';
import { dataDirOf } from '../../config/data-dir.js';
import { openSqlite } from '../../store/database.js';
import { migrateToLatest } from '../../store/migrate.js';
import { databaseFile } from '../../store/store.js';
import { configDirOf, storeOptions, type OptionValues } from '../options.js';

export const options = storeOptions;

export async function migrate(values: OptionValues<typeof options>): Promise<number> {
  const loaded = loadConfig(configDirOf(values));
  const file = databaseFile(dataDirOf(loaded.config, loaded.dir, values.data));
  const database = openSqlite(file, loaded.config.server.durability);
  try {
    const applied = await migrateToLatest(database.db);
    console.log(applied.length === 0 ? `${file}: schema is up to date` : `${file}: applied ${applied.join(', ')}`);
  } finally {
    await database.close();
  }
  return 0;
}
