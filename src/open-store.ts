// Opens the store the config names: the SQLite file in the data directory (the default), or
// the PostgreSQL database of `server.database`. What the engine, the CLI's commands and
// `migrate` open, so all of them read the same data.
import { existsSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { ServerConfig } from './config/schema.js';
import type { Database } from './store/database.js';
import { OverridesRepo, type OverrideRow } from './store/overrides-repo.js';
import { openPostgres } from './store/pg-database.js';
import { openPostgresStore } from './store/pg-store.js';
import type { Tables } from './store/tables.js';
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

/**
 * The overrides kept in the configured store, read without creating or migrating anything
 * (for `check`, which must not touch a database a running engine uses): undefined when
 * there is no store yet, or it predates overrides.
 */
export async function storedOverrides(server: ServerConfig, dataDir: string): Promise<OverrideRow[] | undefined> {
  const location = storeLocation(server, dataDir);
  const database =
    location.kind === 'postgres'
      ? await openPostgres(location.url)
      : existsSync(location.file)
        ? openReadOnly(location.file)
        : undefined;
  if (!database) return undefined;
  try {
    const tables = await database.db.introspection.getTables();
    if (!tables.some((t) => t.name === 'overrides')) return undefined;
    return await new OverridesRepo(database.db).all();
  } finally {
    await database.close();
  }
}

function openReadOnly(file: string): Database {
  const sqlite = new SQLite(file, { readonly: true, fileMustExist: true });
  const db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { db, neverBlock: () => {}, close: () => db.destroy() };
}
