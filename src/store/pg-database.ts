// Opens PostgreSQL for reads and migrations (Kysely's PostgresDialect on a node-postgres
// pool). Every bigint and numeric comes back as a number: each one of ours is a count or a
// millisecond time, well inside a double's exact range. A schema may be named (tests give
// each run its own); the server's own durability holds (synchronous_commit stays on).
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { Database } from './database.js';
import type { Tables } from './tables.js';

const INT8 = 20;
const NUMERIC = 1700;

export interface PostgresOptions {
  /** The schema the tables live in (created when missing); the server's default search path otherwise. */
  schema?: string;
  /** The most connections of this pool (default 4). */
  max?: number;
  /** Told when an idle connection fails (the server restarted): the pool replaces it at the next query. */
  onIdleError?(error: Error): void;
}

/** A pool on the database at `url`; queries on it run in `schema` when one is named. */
export function postgresPool(url: string, options: PostgresOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    connectionTimeoutMillis: 5_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 || oid === NUMERIC ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
    ...(options.schema ? { options: `-c search_path=${quoteIdentifier(options.schema)}` } : {}),
  });
  // Unheard, an idle connection's error (the server restarting) would end the process.
  pool.on('error', (error) => options.onIdleError?.(error));
  // So would one of a connection in use between two queries: its queries fail with it, and
  // the store answers them as a fault; the event itself only needs a listener.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

export async function openPostgres(url: string, options: PostgresOptions = {}): Promise<Database> {
  const pool = postgresPool(url, options);
  if (options.schema) await pool.query(`create schema if not exists ${quoteIdentifier(options.schema)}`);
  const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
  // Nothing to turn off: SQLite's busy wait blocks the event loop, node-postgres never does.
  return { db, neverBlock: () => {}, close: () => db.destroy() };
}

/** The schema unqualified names resolve to (the first of the search path that exists). */
export async function currentSchema(database: Database): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('no schema of the search path exists in this database; create it, or name one that does');
  return schema;
}

/** The URL as it may be printed: a password never is. */
export function printableUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
