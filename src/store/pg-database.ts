// Opens PostgreSQL for reads and migrations (Kysely's PostgresDialect on a node-postgres
// pool). Every bigint and numeric comes back as a number: each one of ours is a count or a
// millisecond time, well inside a double's exact range. The schema is the URL's search path
// (withSearchPath); the server's own durability holds (synchronous_commit stays on).
import pg from 'pg';
import {
  Kysely,
  PostgresDialect,
  sql,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type SchemaMetadata,
  type TableMetadata,
} from 'kysely';
import type { Database } from './database.js';
import { migrateToLatest } from './migrate.js';
import type { Tables } from './tables.js';

const INT8 = 20;
const NUMERIC = 1700;

export interface PostgresOptions {
  /** The most connections of this pool (default 4). */
  max?: number;
  /** Told when an idle connection fails (the server restarted): the pool replaces it at the next query. */
  onIdleError?(error: Error): void;
}

/** A pool on the database at `url`. */
export function postgresPool(url: string, options: PostgresOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    connectionTimeoutMillis: 5_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
        oid === INT8 || oid === NUMERIC ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
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
  const db = new Kysely<Tables>({ dialect: new OwnSchemaDialect({ pool }) });
  // Nothing to turn off: SQLite's busy wait blocks the event loop, node-postgres never does.
  return { db, neverBlock: () => {}, close: () => db.destroy() };
}

/**
 * Kysely's PostgreSQL introspection (what its Migrator asks whether its tables exist) reads
 * every schema of the database and resolves each by name: a schema another application drops
 * meanwhile fails the query ('schema "…" does not exist'), and a database of many schemas
 * costs a scan of them all. The engine's tables are in one schema: this introspector looks
 * there only, by the catalogue's ids.
 */
class OwnSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: Kysely<any>) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`select current_schema() as name`.execute(this.db);
    return rows.filter((r) => r.name !== null);
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ schema: string; name: string; kind: string }>`
      select n.nspname as schema, c.relname as name, c.relkind as kind
      from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'v', 'p')`.execute(this.db);
    return rows.map((r) => ({ schema: r.schema, name: r.name, isView: r.kind === 'v', columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

class OwnSchemaDialect extends PostgresDialect {
  override createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new OwnSchemaIntrospector(db);
  }
}

/** Brings the schema of the search path up to date; its migration records are kept there. */
export async function migratePostgres(database: Database): Promise<string[]> {
  return migrateToLatest(database.db, await currentSchema(database));
}

/** The schema unqualified names resolve to (the first of the search path that exists). */
async function currentSchema(database: Database): Promise<string> {
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(database.db);
  const schema = rows[0]?.schema;
  if (!schema) throw new Error('no schema of the search path exists in this database; create it, or name one that does');
  return schema;
}

/** `url` with `schema` as the search path of its connections (the schema must exist). */
export function withSearchPath(url: string, schema: string): string {
  const separator = url.includes('?') ? '&' : '?';
  return `${url}${separator}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
}

/** The URL as it may be printed: a password never is. */
export function printableUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
