// Turns on incremental auto-vacuum, without which a SQLite file never shrinks: deleted rows
// leave free pages inside it, reused by later writes but never given back to the disk. With
// it, retention's `PRAGMA incremental_vacuum` can cut freed pages off the end of the file.
//
// The mode is kept in the file's header and can only be changed by rebuilding the file
// (VACUUM), even on a new file once it is in WAL mode. That is not a migration: a VACUUM
// cannot run inside the transaction the migrator wraps each migration in, and the mode is
// a property of the file (a restored copy may lack it), not of the schema. So the store
// checks it at every open; only the first open of an older file pays for the rebuild.
import type SQLite from 'better-sqlite3';
import { faultOf } from './storage-fault.js';

const INCREMENTAL = 2;

/**
 * Makes `sqlite`'s main database use incremental auto-vacuum, rebuilding the file once when
 * it does not yet (about as long as copying the file, on the calling thread; it needs the
 * write lock and free disk space for a copy of the file). Returns true when the mode is on
 * afterwards (it already was, or is now); false when the rebuild could not run now (another
 * connection holds a lock, or the disk is full): the file is left as it was, retention still
 * prunes (freed pages are reused rather than given back), and the next open tries again.
 * Call it outside any transaction.
 */
/** Whether the file uses incremental auto-vacuum. */
export function usesIncrementalVacuum(sqlite: SQLite.Database): boolean {
  return Number(sqlite.pragma('auto_vacuum', { simple: true })) === INCREMENTAL;
}

export function enableIncrementalVacuum(sqlite: SQLite.Database): boolean {
  if (usesIncrementalVacuum(sqlite)) return true;
  // Enough on a file with no page yet; otherwise it takes effect at the VACUUM.
  sqlite.pragma('auto_vacuum = INCREMENTAL');
  if (usesIncrementalVacuum(sqlite)) return true;
  try {
    sqlite.exec('VACUUM');
  } catch (error) {
    const fault = faultOf(error);
    if (fault === 'locked' || fault === 'full') return false;
    throw error;
  }
  // In WAL mode the rebuilt file went through the WAL: copy it back and empty the WAL, or it
  // would hold a second copy of the database until a later checkpoint.
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  return usesIncrementalVacuum(sqlite);
}
