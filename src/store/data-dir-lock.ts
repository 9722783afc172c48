// One engine per data directory. `start` takes this lock before it touches anything (no
// migration, no resumed run, no worker); a second engine on the same directory fails at
// once with the holder's pid. The lock is an exclusive SQLite transaction held open on a
// small lock file: the operating system drops it when the process dies, however it dies,
// so there is no stale lock to clean up after a crash.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';

export const LOCK_FILE = 'switchboard.lock';
export const HOLDER_FILE = 'switchboard.pid';

export class DataDirLocked extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: string | undefined,
  ) {
    super(
      `the data directory ${dataDir} is in use by another engine (${holder ?? 'pid unknown'}); ` +
        'stop it first, or give this one its own --data directory',
    );
    this.name = 'DataDirLocked';
  }
}

export interface DataDirLock {
  release(): void;
}

export function lockDataDir(dataDirArg: string): DataDirLock {
  const dataDir = resolve(dataDirArg);
  mkdirSync(dataDir, { recursive: true });
  const lock = new SQLite(join(dataDir, LOCK_FILE));
  try {
    lock.pragma('busy_timeout = 0');
    lock.prepare('begin exclusive').run();
  } catch (error) {
    lock.close();
    if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new DataDirLocked(dataDir, holderOf(dataDir));
    throw error;
  }
  const holderFile = join(dataDir, HOLDER_FILE);
  writeFileSync(holderFile, `pid ${process.pid} on ${hostname()}, since ${new Date().toISOString()}\n`);
  return {
    release() {
      if (!lock.open) return;
      rmSync(holderFile, { force: true });
      lock.prepare('rollback').run();
      lock.close();
    },
  };
}

function holderOf(dataDir: string): string | undefined {
  try {
    return readFileSync(join(dataDir, HOLDER_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
