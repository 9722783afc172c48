// The PostgreSQL the suites that need one use: $SWITCHBOARD_TEST_POSTGRES, else the one this
// project's machines run (127.0.0.1:5432, database `test`, trust auth), as postgres-setup.ts
// found it. Each test gets a schema of its own, dropped afterwards, so runs never collide.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { quoteIdentifier, withSearchPath } from '../../src/store/pg-database.js';
import { openPostgresStore } from '../../src/store/pg-store.js';
import type { Store } from '../../src/store/store.js';
import { tcpProxy, type TcpProxy } from './tcp-proxy.js';

const provided = inject('postgres');
export const POSTGRES_URL = provided.url;

/** Whether the PostgreSQL suites run here (postgres-setup.ts asked once for the whole run). */
export const postgresAvailable = provided.available;

/** Runs one statement on a connection of its own. */
export async function adminQuery(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/**
 * A new, empty schema for one test (created), with the URL whose connections use it;
 * `drop()` removes it with everything in it.
 */
export interface Schema {
  schema: string;
  /** The database's URL with this schema as its search path. */
  url: string;
  drop(): Promise<void>;
}

export async function freshSchema(): Promise<Schema> {
  const schema = `sb_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`create schema ${quoteIdentifier(schema)}`);
  return {
    schema,
    url: withSearchPath(POSTGRES_URL, schema),
    drop: async () => void (await adminQuery(`drop schema if exists ${quoteIdentifier(schema)} cascade`)),
  };
}

/** The backends the suites that matter run on: SQLite always, PostgreSQL where it is reachable. */
export const BACKENDS: readonly ('sqlite' | 'postgres')[] = postgresAvailable ? ['sqlite', 'postgres'] : ['sqlite'];

/** A TCP proxy in front of the test PostgreSQL (cut it to stand for the server going away), and `url` rewritten to go through it. */
export async function throughProxy(url: string): Promise<{ proxy: TcpProxy; url: string }> {
  const target = new URL(POSTGRES_URL);
  const proxy = await tcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  return { proxy, url: url.replace(`@${target.host}/`, `@127.0.0.1:${proxy.port}/`) };
}

/** Two stores on one fresh schema, standing for two nodes of a cluster; `close` closes both and drops the schema. */
export async function twoStoresOnOneSchema(): Promise<{ one: Store; two: Store; close(): Promise<void> }> {
  const schema = await freshSchema();
  const one = await openPostgresStore(schema.url);
  const two = await openPostgresStore(schema.url);
  return {
    one,
    two,
    async close() {
      await one.close();
      await two.close();
      await schema.drop();
    },
  };
}
