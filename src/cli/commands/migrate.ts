// `switchboard migrate`: creates or updates the database schema (SQLite's file, or the
// PostgreSQL database of server.database) and says what ran.
import { loadConfig } from '../../config/load-config.js';
import { dataDirOf } from '../../config/data-dir.js';
import { storeLocation } from '../../open-store.js';
import { openSqlite } from '../../store/database.js';
import { migrateToLatest } from '../../store/migrate.js';
import { migratePostgres, openPostgres, printableUrl } from '../../store/pg-database.js';
import { configDirOf, storeOptions, type OptionValues } from '../options.js';

export const options = storeOptions;

export async function migrate(values: OptionValues<typeof options>): Promise<number> {
  const loaded = loadConfig(configDirOf(values));
  const location = storeLocation(loaded.config.server, dataDirOf(loaded.config, loaded.dir, values.data));
  const [name, database] =
    location.kind === 'sqlite'
      ? [location.file, openSqlite(location.file, loaded.config.server.durability)]
      : [printableUrl(location.url), await openPostgres(location.url)];
  try {
    const applied = location.kind === 'postgres' ? await migratePostgres(database) : await migrateToLatest(database.db);
    console.log(applied.length === 0 ? `${name}: schema is up to date` : `${name}: applied ${applied.join(', ')}`);
  } finally {
    await database.close();
  }
  return 0;
}
