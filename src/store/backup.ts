// A copy of the database taken while the engine may be running, for `switchboard backup`.
// SQLite's online backup (better-sqlite3's db.backup) copies a few pages a step and lets the
// event loop run between steps. The copy is of one moment: its connection holds a read
// transaction open from before the first page to after the last, so every step reads the
// same snapshot, and in WAL mode a reader never blocks the engine's writer, whose fires go on
// being committed and answered meanwhile (only the WAL cannot be emptied until the copy ends).
// Without that snapshot SQLite restarts the copy whenever another connection commits, and
// the copy of a busy engine's database would never end.
//
// The copy is written beside the target under another name, checked with integrity_check,
// and only then renamed to the target, so a half-written or damaged copy never has its name.
import { closeSync, existsSync, openSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { BLOCKING_BUSY_TIMEOUT_MS } from './database.js';

export interface BackupProgress {
  totalPages: number;
  remainingPages: number;
}

export interface BackupOptions {
  /** Replace the target if it exists (otherwise BackupTargetExists). */
  force?: boolean;
  /**
   * Pages copied in each step (default 100), or a function of the progress so far that says
   * how many the next step copies (0 holds the copy a step): a test slows the copy down to
   * overlap it with fires.
   */
  pagesPerStep?: number | ((progress: BackupProgress) => number);
}

export interface BackupResult {
  /** The database copied and the copy, both absolute. */
  from: string;
  to: string;
  pages: number;
  bytes: number;
}

export const DEFAULT_PAGES_PER_STEP = 100;

/** The target exists and the backup was not told to replace it. */
export class BackupTargetExists extends Error {
  constructor(readonly target: string) {
    super(`${target} already exists`);
    this.name = 'BackupTargetExists';
  }
}

/** Copies the database `fromArg` to `toArg`, checks the copy and answers what was copied. */
export async function backupDatabase(fromArg: string, toArg: string, options: BackupOptions = {}): Promise<BackupResult> {
  const from = resolve(fromArg);
  const to = resolve(toArg);
  const force = options.force === true;
  checkTarget(from, to, force);
  const partial = `${to}.${process.pid}.partial`;
  // Made here, readable by its owner only: the copy holds every instance's secret.
  closeSync(openSync(partial, 'wx', 0o600));
  try {
    const { pages, pageSize } = await copy(from, partial, options.pagesPerStep ?? DEFAULT_PAGES_PER_STEP);
    verify(partial);
    // Again: the target may have appeared while the copy ran.
    if (!force && existsSync(to)) throw new BackupTargetExists(to);
    renameSync(partial, to);
    return { from, to, pages, bytes: pages * pageSize };
  } catch (error) {
    for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(`${partial}${suffix}`, { force: true });
    throw error;
  }
}

function checkTarget(from: string, to: string, force: boolean): void {
  if (!existsSync(dirname(to))) throw new Error(`cannot write ${to}: the directory ${dirname(to)} does not exist`);
  // --force must never rename a copy over the live database or its journal.
  const database = realPath(from);
  if ([database, `${database}-wal`, `${database}-shm`, `${database}-journal`].includes(realPath(to)))
    throw new Error(`${to} is the database itself; back it up to another file`);
  if (existsSync(to) && statSync(to).isDirectory()) throw new Error(`${to} is a directory; give the copy a file name`);
  if (!force && existsSync(to)) throw new BackupTargetExists(to);
}

/** The path with every symbolic link resolved, for a file that may not exist yet. */
function realPath(path: string): string {
  return existsSync(path) ? realpathSync(path) : join(realpathSync(dirname(path)), basename(path));
}

async function copy(
  from: string,
  to: string,
  pagesPerStep: NonNullable<BackupOptions['pagesPerStep']>,
): Promise<{ pages: number; pageSize: number }> {
  const source = openSource(from);
  try {
    const pageSize = Number(source.pragma('page_size', { simple: true }));
    const progress = typeof pagesPerStep === 'number' ? () => pagesPerStep : pagesPerStep;
    const { totalPages } = await source.backup(to, { progress });
    return { pages: totalPages, pageSize };
  } finally {
    if (source.inTransaction) source.prepare('rollback').run();
    source.close();
  }
}

/** A connection that cannot write, its snapshot begun (see the header). */
function openSource(file: string): SQLite.Database {
  let source: SQLite.Database | undefined;
  try {
    source = new SQLite(file, { fileMustExist: true });
    source.pragma(`busy_timeout = ${BLOCKING_BUSY_TIMEOUT_MS}`);
    source.pragma('query_only = true');
    source.prepare('begin').run();
    // A deferred transaction takes its snapshot at its first read.
    source.prepare('select count(*) from sqlite_schema').get();
    return source;
  } catch (error) {
    source?.close();
    throw new Error(`cannot read ${file}: ${(error as Error).message}`);
  }
}

/** Throws unless the copy passes integrity_check; leaves it one self-contained file. */
function verify(file: string): void {
  const copied = new SQLite(file, { fileMustExist: true });
  try {
    // The copy keeps the source's WAL mode; without it the copy is one file that opens anywhere,
    // read-only media included. The engine turns WAL back on when it opens a restored copy.
    copied.pragma('journal_mode = DELETE');
    const found = copied.prepare('pragma integrity_check').pluck().all() as string[];
    if (found.length !== 1 || found[0] !== 'ok')
      throw new Error(
        `the copy failed integrity_check (${found.slice(0, 3).join('; ')}), so it was not kept; the database itself may be damaged`,
      );
  } finally {
    copied.close();
  }
}
