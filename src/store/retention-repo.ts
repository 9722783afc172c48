// Deletes what is older than the retention: the request log, finished runs with their
// actions, and finished deliveries with their attempts and events. Pending runs and
// deliveries are never deleted, whatever their age, nor each instance's newest failed runs
// (`keepFailed`), whose traces an operator looks at long after.
//
// It never stalls the engine: rows go in small batches (prune-batches.ts), one short
// transaction each, with a turn of the event loop between them, so a million old rows cost
// many short pauses instead of one long one, and the WAL a batch wrote is copied into the file
// in a turn of its own (wal-checkpoint.ts), so the WAL stays near one batch. (Left to the
// engine's checkpoint worker instead, a million rows' deletes piled up a WAL of 80 MB+ whose
// copy, competing for the disk, stalled the event loop for 350 ms.) It works on a
// connection of its own, opened for the round: one that never waits for a lock inside SQLite
// (a lock held by another process is retried asynchronously, lock-retry.ts), whatever the
// store's read connection is set to, and one that can run the pragmas that give space back
// (space-reclaim.ts).
import SQLite from 'better-sqlite3';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { sql, type Kysely } from 'kysely';
import { useWal } from './database.js';
import { backoff, DEFAULT_LOCK_RETRIES, retryWhileLocked, type LockWait, type RetryOptions } from './lock-retry.js';
import { FIRST, PRUNE_KINDS, PruneBatches, type PruneCursor } from './prune-batches.js';
import { reclaimSpace, type Reclaimed } from './space-reclaim.js';
import type { Tables } from './tables.js';
import { checkpoint, manualCheckpoints } from './wal-checkpoint.js';

export type { Reclaimed } from './space-reclaim.js';

export interface Pruned {
  requests: number;
  runs: number;
  deliveries: number;
  events: number;
}

export interface RetentionOptions {
  /** The most rows of one table one transaction deletes (default 1,000). */
  batchSize?: number;
  /** The most pages one incremental_vacuum step gives back (default 1,000: 4 MB at the default page size); steps start smaller and grow while they stay short. */
  vacuumStepPages?: number;
  /** How often a step refused for a lock is tried again before the round gives up (default 100, about 5 s). */
  lockRetries?: number;
  /** The wait before each retry (default: 2 ms doubling to 50 ms); tests replace it. */
  lockWait?: LockWait;
}

export interface RoundOptions {
  /** Aborted when the engine stops: the round ends before its next batch or step. */
  signal?: AbortSignal;
  /** How many of each instance's newest failed runs are kept whatever their age (with their requests); 0 keeps none. */
  keepFailed?: number;
}

/** Another process held the write lock through every retry: what was pruned before stays pruned, the rest waits for the next round. */
export class PruneLocked extends Error {
  constructor(readonly pruned: Pruned) {
    super('the database stayed locked by another process');
    this.name = 'PruneLocked';
  }
}

export const DEFAULT_BATCH_SIZE = 1_000;
export const DEFAULT_VACUUM_STEP_PAGES = 1_000;

/** What the retention job asks of a store: delete what is old, then give space back where the backend can. */
export interface Retention {
  prune(before: number, options?: RoundOptions): Promise<Pruned>;
  reclaimSpace(options?: RoundOptions): Promise<Reclaimed>;
}

export class RetentionRepo implements Retention {
  private readonly batchSize: number;
  private readonly vacuumStepPages: number;
  private readonly lockRetries: number;
  private readonly lockWait: LockWait;

  constructor(
    private readonly db: Kysely<Tables>,
    options: RetentionOptions = {},
  ) {
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.vacuumStepPages = options.vacuumStepPages ?? DEFAULT_VACUUM_STEP_PAGES;
    this.lockRetries = options.lockRetries ?? DEFAULT_LOCK_RETRIES;
    this.lockWait = options.lockWait ?? backoff;
  }

  /**
   * Deletes everything older than `before` that the rules allow, batch by batch, until none
   * is left or the signal aborts (then resolves with what went so far). Throws PruneLocked
   * when another process kept the write lock through every retry of a batch.
   */
  async prune(before: number, { signal, keepFailed = 0 }: RoundOptions = {}): Promise<Pruned> {
    const pruned: Pruned = { requests: 0, runs: 0, deliveries: 0, events: 0 };
    const sqlite = await this.connect();
    try {
      const batches = new PruneBatches(sqlite);
      const retry = this.retryOptions(signal);
      for (const kind of PRUNE_KINDS) {
        let after: PruneCursor = FIRST;
        for (;;) {
          const batch = await retryWhileLocked(() => batches.delete(kind, before, after, this.batchSize, keepFailed), retry);
          if (!batch.ok && batch.reason === 'stopped') return pruned;
          if (!batch.ok) throw new PruneLocked(pruned);
          pruned[kind] += batch.value.deleted;
          await yieldToEventLoop();
          if (batch.value.deleted > 0) {
            // The batch's WAL copied at once, in a turn of its own: the WAL stays at about one batch.
            checkpoint(sqlite, 'PASSIVE');
            await yieldToEventLoop();
          }
          if (batch.value.done) break;
          after = batch.value.last;
        }
      }
      return pruned;
    } finally {
      sqlite.close();
    }
  }

  /**
   * Gives the space pruning freed back to the disk (with incremental auto-vacuum), a small
   * step per turn of the event loop, then empties the WAL if no other connection is in the
   * way. Never throws for a lock: what could not be done waits for the next round.
   */
  async reclaimSpace({ signal }: RoundOptions = {}): Promise<Reclaimed> {
    const sqlite = await this.connect();
    try {
      return await reclaimSpace(sqlite, { ...this.retryOptions(signal), stepPages: this.vacuumStepPages });
    } finally {
      sqlite.close();
    }
  }

  private retryOptions(signal: AbortSignal | undefined): RetryOptions {
    return { retries: this.lockRetries, wait: this.lockWait, signal };
  }

  /** A connection of its own to the store's file, for one round. */
  private async connect(): Promise<SQLite.Database> {
    const { rows } = await sql<{ name: string; file: string }>`pragma database_list`.execute(this.db);
    const file = rows.find((r) => r.name === 'main')?.file;
    if (!file) throw new Error('retention needs the database in a file, not in memory');
    // timeout 0: SQLITE_BUSY at once instead of waiting on the event loop.
    const sqlite = new SQLite(file, { timeout: 0, fileMustExist: true });
    try {
      // Losing a batch of deletes to a power cut is harmless (the next round deletes them
      // again), so its commits need not wait for the disk whatever the store's durability.
      useWal(sqlite, 'normal');
      manualCheckpoints(sqlite);
    } catch (error) {
      sqlite.close();
      throw error;
    }
    return sqlite;
  }
}
