// WAL checkpoints off the event loop. SQLite's default checkpoints inside the commit that
// crosses 1,000 WAL pages: that commit copies the WAL into the database and fsyncs it on the
// main thread, which is where the fire path's p99 spikes came from (8–25 ms, up to 369 ms).
// The engine's writer turns that off, and a worker thread with its own connection runs a
// PASSIVE checkpoint (it never waits for, nor blocks, the writer or a reader) each interval.
// Under a steady stream of commits a PASSIVE checkpoint never catches the WAL's end, and
// SQLite only starts the WAL over once all of it was copied: so once the WAL file passes
// WAL_RESTART_BYTES the worker runs a RESTART checkpoint, which holds new commits back for the
// little the PASSIVE ones left (the engine's commits wait for it asynchronously, as for any
// lock) and lets the next commit start the WAL over. While it holds them back it raises a flag
// the main thread reads (shared memory, no message to wait for), so the store does not take its
// own checkpoint for another process's lock and report itself unready. A TRUNCATE one when it stops leaves the
// WAL empty. If the worker ever dies, the writer goes back to checkpointing itself: the WAL
// never grows without bound.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { JOURNAL_SIZE_LIMIT_BYTES, type Durability } from './database.js';

/** How often the worker checkpoints. */
export const CHECKPOINT_EVERY_MS = 1_000;
/** A WAL file past this size is started over (RESTART) after the interval's PASSIVE checkpoint. */
export const WAL_RESTART_BYTES = 32 * 1024 * 1024;
/** How long a RESTART checkpoint waits for the writer's current commit to end. */
const RESTART_WAIT_MS = 250;

// CommonJS, evaluated in the worker: no file to find beside a bundle or under a TypeScript loader.
const WORKER_SOURCE = `
const { statSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
db.pragma('busy_timeout = 0');
db.pragma('synchronous = ' + workerData.synchronous);
db.pragma('journal_size_limit = ' + workerData.journalSizeLimit);
const checkpoint = (mode) => {
  try { db.pragma('wal_checkpoint(' + mode + ')'); } catch (error) {
    // SQLITE_BUSY: another checkpoint is running, or a commit outlasted the wait; the next interval tries again.
    if (error.code !== 'SQLITE_BUSY' && error.code !== 'SQLITE_LOCKED') parentPort.postMessage({ error: error.message });
  }
};
const walBytes = () => statSync(workerData.file + '-wal', { throwIfNoEntry: false })?.size ?? 0;
const restarting = new Int32Array(workerData.restarting);
const timer = setInterval(() => {
  checkpoint('PASSIVE');
  if (walBytes() > workerData.restartBytes) {
    Atomics.store(restarting, 0, 1);
    db.pragma('busy_timeout = ' + workerData.restartWaitMs);
    checkpoint('RESTART');
    db.pragma('busy_timeout = 0');
    Atomics.store(restarting, 0, 0);
  }
}, workerData.everyMs);
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
  /** 1 while a RESTART checkpoint holds commits back; written by the worker. */
  private readonly restartFlag = new Int32Array(new SharedArrayBuffer(4));
  private stopping: Promise<void> | undefined;

  constructor(
    file: string,
    durability: Durability,
    events: CheckpointerEvents,
    { everyMs = CHECKPOINT_EVERY_MS, restartBytes = WAL_RESTART_BYTES } = {},
  ) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        file,
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        synchronous: durability === 'full' ? 'FULL' : 'NORMAL',
        journalSizeLimit: JOURNAL_SIZE_LIMIT_BYTES,
        restartBytes,
        restartWaitMs: RESTART_WAIT_MS,
        restarting: this.restartFlag.buffer,
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

  /** Whether a lock met now is this checkpointer's RESTART (a moment's wait, not a fault). */
  holdsCommits(): boolean {
    return Atomics.load(this.restartFlag, 0) === 1;
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
