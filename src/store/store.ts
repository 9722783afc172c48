// The store: the database, its repositories for reads, and the one way in for writes
// (`commit` a unit of typed writes), opened and migrated together.
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { enableIncrementalVacuum } from './auto-vacuum.js';
import { Checkpointer } from './checkpointer.js';
import { openSqlite, type Database, type Durability } from './database.js';
import { migrateToLatest } from './migrate.js';
import { repositories, type Repositories } from './repositories.js';
import { RetentionRepo, type Retention } from './retention-repo.js';
import { SqliteWriter } from './sqlite-writer.js';
import { StoreHealth, type StoreReadiness } from './store-health.js';
import { WriteBatcher, type WriteApplier } from './write-batcher.js';
import type { StoreWrite, UnitOfWork } from './writes.js';

export interface Store extends UnitOfWork, Repositories {
  /** Kysely on the read connection, for the repositories and for tests. */
  readonly database: Database;
  readonly retention: Retention;
  readonly health: StoreHealth;
  /** Whether a write could start now and no commit met a fault lately (for /readyz). */
  readiness(): StoreReadiness;
  /** How many bytes the database takes on disk (SQLite: the file and its WAL). */
  sizeBytes(): Promise<number>;
  /** From now on no query blocks the event loop waiting for a lock (the engine calls this once it serves). */
  neverBlock(): void;
  close(): Promise<void>;
}

export interface StoreOptions {
  durability?: Durability;
  /** How long a commit waits for a lock held by another process before it fails with StoreUnavailable. */
  lockWaitMs?: number;
  /** The most the database file may grow to, in bytes (0: no cap). */
  maxBytes?: number;
  /** Wraps the writer, for tests that inject storage faults where the store applies its writes. */
  wrapWriter?: (writer: WriteApplier) => WriteApplier;
  /**
   * PostgreSQL: decide debounce windows by the engine's clock instead of the server's (tests
   * on a fake clock; several nodes need the server's, one clock for all of them).
   */
  engineClock?: boolean;
  /**
   * The upkeep of a long-lived store (the engine's; a short CLI command keeps SQLite's
   * defaults): WAL checkpoints in a worker thread instead of inside commits, and incremental
   * auto-vacuum so retention can give space back (turned on at open, rebuilding an older file
   * once). Told of what went wrong with either.
   */
  maintenance?: { onProblem(message: string): void };
}

export const DATABASE_FILE = 'switchboard.db';
export const DEFAULT_LOCK_WAIT_MS = 5_000;

export function databaseFile(dataDir: string): string {
  return join(resolve(dataDir), DATABASE_FILE);
}

function fileBytes(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0; // no WAL right after a truncating checkpoint
  }
}

/** Turns incremental auto-vacuum on, on a connection of its own (see auto-vacuum.ts). */
function withIncrementalVacuum(file: string): boolean {
  const sqlite = new SQLite(file, { timeout: 0 });
  try {
    return enableIncrementalVacuum(sqlite);
  } finally {
    sqlite.close();
  }
}

export async function openStore(file: string, options: StoreOptions = {}): Promise<Store> {
  const durability = options.durability ?? 'normal';
  const database = openSqlite(file, durability);
  try {
    await migrateToLatest(database.db);
  } catch (error) {
    await database.close();
    throw error;
  }
  const background = options.maintenance;
  if (background && !withIncrementalVacuum(file))
    background.onProblem(
      'incremental auto-vacuum could not be turned on now (the file is locked or the disk is full); retried at the next start',
    );
  const writer = new SqliteWriter(file, durability, options.maxBytes, { backgroundCheckpoints: background !== undefined });
  const checkpointer =
    background &&
    new Checkpointer(file, durability, {
      onError: (message) => background.onProblem(`WAL checkpoint failed: ${message}`),
      onLost: (reason) => {
        writer.checkpointInline();
        background.onProblem(`${reason}; commits checkpoint the WAL themselves from now on`);
      },
    });
  const health = new StoreHealth(Date.now, () => checkpointer?.holdsCommits() === true);
  const applier = options.wrapWriter ? options.wrapWriter(writer) : writer;
  const batcher = new WriteBatcher(applier, health, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  return {
    database,
    ...repositories(database.db),
    retention: new RetentionRepo(database.db),
    health,
    commit: (writes: readonly StoreWrite[]) => batcher.commit(writes),
    readiness: () => health.readiness(() => writer.probe()),
    sizeBytes: () => Promise.resolve(fileBytes(file) + fileBytes(`${file}-wal`)),
    neverBlock: () => database.neverBlock(),
    async close() {
      await batcher.close();
      writer.close();
      await checkpointer?.stop();
      await database.close();
    },
  };
}
