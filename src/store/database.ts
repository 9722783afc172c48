// Opens the SQLite database for reads and migrations (Kysely): WAL, and the durability
// the operator chose. Writes at run time go through the store's writer connection.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteDialect, type DialectAdapter } from 'kysely';
import type { Tables } from './tables.js';

export type Durability = 'normal' | 'full';

/** Every connection cuts the WAL file back to this size after a checkpoint that emptied it. */
export const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** How long a connection that may block (a CLI command, a migration at start) waits for a lock. */
export const BLOCKING_BUSY_TIMEOUT_MS = 5_000;

export interface Database {
  readonly db: Kysely<Tables>;
  /** From now on, wait for no lock: a lock held elsewhere fails the query at once instead of freezing the event loop. */
  neverBlock(): void;
  close(): Promise<void>;
}

/** SQLite can roll back schema changes; telling Kysely so makes each migration atomic with its record. */
class TransactionalDdlSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new (class extends SqliteAdapter {
      override get supportsTransactionalDdl(): boolean {
        return true;
      }
    })();
  }
}

/** WAL, the durability the operator chose, and the WAL file's size limit: what every store connection sets. */
export function useWal(sqlite: SQLite.Database, durability: Durability): void {
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a killed process; FULL also survives power loss.
  sqlite.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT_BYTES}`);
}

export function openSqlite(file: string, durability: Durability = 'normal'): Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  useWal(sqlite, durability);
  sqlite.pragma(`busy_timeout = ${BLOCKING_BUSY_TIMEOUT_MS}`);
  const db = new Kysely<Tables>({ dialect: new TransactionalDdlSqliteDialect({ database: sqlite }) });
  return {
    db,
    neverBlock: () => void sqlite.pragma('busy_timeout = 0'),
    close: () => db.destroy(),
  };
}
