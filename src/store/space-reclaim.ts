// Gives the disk back what pruning freed. Deleted rows only free pages inside the file; with
// incremental auto-vacuum (see auto-vacuum.ts) `PRAGMA incremental_vacuum` moves the pages
// still in use from the end of the file into free ones and cuts the end off, a small step per
// event-loop turn, each step's WAL copied into the file in a turn of its own (wal-checkpoint.ts).
// A TRUNCATE checkpoint at the end empties the WAL. The connection waits for no lock: a step
// refused for a lock is retried a little later, and a checkpoint that finds a reader or writer
// in the way is left for the next round.
import type SQLite from 'better-sqlite3';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { usesIncrementalVacuum } from './auto-vacuum.js';
import { retryWhileLocked, type RetryOptions } from './lock-retry.js';
import { checkpoint } from './wal-checkpoint.js';

export interface Reclaimed {
  /** Pages given back to the file system (0 without incremental auto-vacuum). */
  freedPages: number;
  /** Pages still free inside the file: reused by later writes, or given back next round. */
  freePages: number;
  /** Whether the WAL was checkpointed whole and cut to nothing; false: another connection was in the way. */
  walTruncated: boolean;
}

export interface ReclaimOptions extends RetryOptions {
  /** The most pages one incremental_vacuum step gives back. */
  stepPages: number;
}

/**
 * What one step may take of the event loop. A page's cost varies a hundredfold: the first
 * steps after a large prune move pages still in use and search a long free list (0.2–0.4 ms a
 * page after a million rows: 1,000 pages took 170 ms), later ones mostly drop free pages from
 * the end (microseconds). So steps start small and grow or shrink to stay near this.
 */
const STEP_BUDGET_MS = 10;
const FIRST_STEP_PAGES = 32;
const MIN_STEP_PAGES = 8;

export async function reclaimSpace(sqlite: SQLite.Database, options: ReclaimOptions): Promise<Reclaimed> {
  const freeCount = () => Number(sqlite.pragma('freelist_count', { simple: true }));
  const start = freeCount();
  let free = start;
  if (usesIncrementalVacuum(sqlite)) {
    let pages = Math.min(FIRST_STEP_PAGES, options.stepPages);
    while (free > 0) {
      let ms = 0;
      const step = await retryWhileLocked(() => {
        const began = performance.now();
        // exec, not a prepared statement's run(): the pragma frees one page per step of its statement.
        sqlite.exec(`pragma incremental_vacuum(${pages})`);
        ms = performance.now() - began;
      }, options);
      if (!step.ok) break;
      const now = freeCount();
      if (now >= free) break;
      free = now;
      pages = nextStepPages(pages, ms, options.stepPages);
      await yieldToEventLoop();
      checkpoint(sqlite, 'PASSIVE');
      await yieldToEventLoop();
    }
  }
  return {
    freedPages: start - free,
    freePages: free,
    walTruncated: !options.signal?.aborted && checkpoint(sqlite, 'TRUNCATE'),
  };
}

/** Twice as many pages after a step well within the budget, half as many after one over it. */
function nextStepPages(pages: number, ms: number, most: number): number {
  if (ms > STEP_BUDGET_MS) return Math.max(MIN_STEP_PAGES, Math.floor(pages / 2));
  if (ms < STEP_BUDGET_MS / 2) return Math.min(most, pages * 2);
  return pages;
}
