// Opens the SQLite database: WAL, one writer, and the durability the operator chose.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteAdapter, SqliteDialect, type DialectAdapter } from 'kysely';
import type { Tables } from './tables.js';
import { WriteBatcher } from './write-batcher.js';

export type Durability = 'normal' | 'full';

export interface Database {
  readonly db: Kysely<Tables>;
  /** The connection itself, for the prepared statements of the hot path. */
  readonly sqlite: SQLite.Database;
  /** Group commit for the hot path's writes. */
  readonly batcher: WriteBatcher;
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

export function openSqlite(file: string, durability: Durability = 'normal'): Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL in WAL mode survives a killed process; FULL also survives power loss.
  sqlite.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Tables>({ dialect: new TransactionalDdlSqliteDialect({ database: sqlite }) });
  const batcher = new WriteBatcher(sqlite);
  return {
    db,
    sqlite,
    batcher,
    close: async () => {
      batcher.close();
      await db.destroy();
    },
  };
}
