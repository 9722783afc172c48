// Opens the store an engine process kept its data in, to check it from outside: the SQLite
// file of its data directory, or the PostgreSQL schema it was given.
import { openPostgresStore } from '../../src/store/pg-store.js';
import { databaseFile, openStore, type Store } from '../../src/store/store.js';
import { freshSchema, type Schema } from './postgres.js';

export function openBackendStore(dataDir: string, schema: Schema | undefined): Promise<Store> {
  return schema ? openPostgresStore(schema.url) : openStore(databaseFile(dataDir));
}

/** For a spawned engine on `backend`: its schema (PostgreSQL) and the environment that names it. */
export async function backendEnv(backend: 'sqlite' | 'postgres'): Promise<{ schema?: Schema; env: NodeJS.ProcessEnv }> {
  if (backend === 'sqlite') return { env: {} };
  const schema = await freshSchema();
  return { schema, env: { SWITCHBOARD_DATABASE: schema.url } };
}
