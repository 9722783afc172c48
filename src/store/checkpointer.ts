// WAL checkpoints off the event loop. SQLite's default checkpoints inside the commit that
// crosses 1,000 WAL pages: that commit copies the WAL into the database and fsyncs it on the
// main thread, which is where the fire path's p99 spikes came from (8–25 ms, up to 369 ms).
// The engine's writer turns that off, and a worker thread with its own connection runs a
// PASSIVE checkpoint (it never waits for, nor blocks, the writer or a reader) on an interval,
// and a TRUNCATE one when it stops, so the WAL file ends small. If the worker ever dies,
// the writer goes back to checkpointing itself: the WAL never grows without bound.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Durability } from './database.js';

/** How often the worker checkpoints; at 10,000 fires a second the WAL stays near 30 MB. */
export const CHECKPOINT_EVERY_MS = 1_000;
/** The WAL file is cut back to this size after a checkpoint that emptied it. */
export const JOURNAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

// CommonJS, evaluated in the worker: no file to find beside a bundle or under a TypeScript loader.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 0');
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('journal_size_limit = ' + workerData.journalSizeLimit);
const checkpoint = (mode) => {
  try { db.pragma('wal_checkpoint(' + mode + ')'); } catch (error) {
    // SQLITE_BUSY: another checkpoint is running; the next interval tries again.
    if (error.code !== 'SQLITE_BUSY' && error.code !== 'SQLITE_LOCKED') parentPort.postMessage({ error: error.message });
  }
};
const timer = setInterval(() => checkpoint('PASSIVE'), workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint('TRUNCATE');
  db.close();
  parentPort.postMessage({ stopped: true });
});
`;

export interface CheckpointerEvents {
  /** A checkpoint failed other than by being busy (logged by the owner). */
  onError(message: string): void;
  /** The worker is gone without being asked to stop: the writer must checkpoint itself again. */
  onLost(reason: string): void;
}

export class Checkpointer {
  private readonly worker: Worker;
  private stopping: Promise<void> | undefined;

  constructor(file: string, durability: Durability, events: CheckpointerEvents, everyMs = CHECKPOINT_EVERY_MS) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        synchronous: durability === 'full' ? 'FULL' : 'NORMAL',
        journalSizeLimit: JOURNAL_SIZE_LIMIT_BYTES,
        everyMs,
      },
    });
    // The engine's shutdown stops it; it must not keep a CLI or a test process alive meanwhile.
    this.worker.unref();
    this.worker.on('message', (message: { error?: string; stopped?: boolean }) => {
      if (message.error) events.onError(message.error);
      if (message.stopped) void this.worker.terminate();
    });
    this.worker.on('error', (error) => {
      if (!this.stopping) events.onLost(error.message);
    });
    this.worker.on('exit', (code) => {
      if (!this.stopping) events.onLost(`the checkpoint worker exited with code ${code}`);
    });
  }

  /** A last TRUNCATE checkpoint, then the worker ends. */
  stop(): Promise<void> {
    this.stopping ??= new Promise<void>((resolve) => {
      this.worker.once('exit', () => resolve());
      this.worker.postMessage('stop');
    });
    return this.stopping;
  }
}
