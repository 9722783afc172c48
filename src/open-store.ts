// Opens the store the config names: the SQLite file in the data directory (the default), or
// the PostgreSQL database of `server.database`. What the engine, the CLI's commands and
// `migrate` open, so all of them read the same data.
import type { ServerConfig } from './config/schema.js';
import { openPostgresStore } from './store/pg-store.js';
import { databaseFile, openStore, type Store, type StoreOptions } from './store/store.js';

export type StoreLocation = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export function storeLocation(server: Pick<ServerConfig, 'database'>, dataDir: string): StoreLocation {
  return server.database === 'sqlite'
    ? { kind: 'sqlite', file: databaseFile(dataDir) }
    : { kind: 'postgres', url: server.database };
}

/** The store, opened and migrated, with the config's durability, lock wait and size cap (SQLite's) and `extra`. */
export function openConfiguredStore(server: ServerConfig, dataDir: string, extra: StoreOptions = {}): Promise<Store> {
  const location = storeLocation(server, dataDir);
  if (location.kind === 'postgres') return openPostgresStore(location.url, { lockWaitMs: server.lock_wait, ...extra });
  return openStore(location.file, {
    durability: server.durability,
    lockWaitMs: server.lock_wait,
    maxBytes: server.max_database_size,
    ...extra,
  });
}
