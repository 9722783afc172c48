// WAL checkpoints for retention's connection, which leaves SQLite's automatic ones off: an
// automatic checkpoint runs inside the commit that crosses 1,000 WAL pages, so a batch and
// the copy of the WAL it triggers (15–30 ms for 1,000 pages) would share one turn of the
// event loop. Retention instead checkpoints in a turn of its own after each batch, and the
// WAL stays at about one batch. A checkpoint never waits for a lock: a busy answer (another
// connection is reading an old snapshot or checkpointing itself) is simply tried next time.
import type SQLite from 'better-sqlite3';
import { faultOf } from './storage-fault.js';

/** Stops the connection's own commits from checkpointing. */
export function manualCheckpoints(sqlite: SQLite.Database): void {
  sqlite.pragma('wal_autocheckpoint = 0');
}

/**
 * PASSIVE copies what it can of the WAL into the database; TRUNCATE also empties the WAL
 * file, when no reader needs it. True when the whole WAL was copied (and, for TRUNCATE, the
 * file emptied); false when something was in the way.
 */
export function checkpoint(sqlite: SQLite.Database, mode: 'PASSIVE' | 'TRUNCATE'): boolean {
  try {
    const [result] = sqlite.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[];
    return result !== undefined && result.busy === 0 && result.log === result.checkpointed;
  } catch (error) {
    if (faultOf(error) === 'locked') return false;
    throw error;
  }
}
