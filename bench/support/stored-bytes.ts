// What the engine's database holds, table by table and index by index: SQLite's dbstat
// virtual table (compiled into better-sqlite3's SQLite) read through a connection of the
// bench's own, so the bytes a fire costs are counted from the pages, not guessed from rows.
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';

export interface StoredObject {
  /** A table, an index (sqlite_autoindex_… for a UNIQUE or PRIMARY KEY) or sqlite_schema. */
  name: string;
  bytes: number;
}

export interface StoredBytes {
  /** sum(pgsize) over every table and index: the pages in use, free pages not counted. */
  total: number;
  /** Largest first. */
  objects: StoredObject[];
  pageSize: number;
  pageCount: number;
  freePages: number;
}

/** The size of a file in bytes, 0 when it does not exist (a WAL after a clean close). */
export function fileBytes(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

/**
 * Reads dbstat on `file`. Throws a plain "dbstat is not available" when this SQLite was
 * built without it, so the bench can say so instead of guessing.
 */
export function storedBytes(file: string): StoredBytes {
  // Not readonly: a WAL database opened read-only cannot always build its -shm; nothing is written.
  const db = new Database(file, { fileMustExist: true });
  try {
    let rows: { name: string; bytes: number }[];
    try {
      rows = db.prepare('select name, sum(pgsize) as bytes from dbstat group by name').all() as { name: string; bytes: number }[];
    } catch (error) {
      if (/no such table: dbstat/i.test((error as Error).message))
        throw new Error("dbstat is not available: better-sqlite3's SQLite was built without SQLITE_ENABLE_DBSTAT_VTAB", {
          cause: error,
        });
      throw error;
    }
    const objects = rows.map((r) => ({ name: r.name, bytes: Number(r.bytes) })).sort((a, b) => b.bytes - a.bytes);
    return {
      total: objects.reduce((sum, o) => sum + o.bytes, 0),
      objects,
      pageSize: Number(db.pragma('page_size', { simple: true })),
      pageCount: Number(db.pragma('page_count', { simple: true })),
      freePages: Number(db.pragma('freelist_count', { simple: true })),
    };
  } finally {
    db.close();
  }
}
