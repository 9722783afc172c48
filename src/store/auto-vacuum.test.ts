// Incremental auto-vacuum turned on for an existing database file: its rows survive the
// rebuild, a second call does nothing, and a lock held elsewhere leaves the file as it was.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { enableIncrementalVacuum } from './auto-vacuum.js';
import { openSqlite } from './database.js';
import { migrateToLatest } from './migrate.js';

const dirs: string[] = [];
const open: SQLite.Database[] = [];
afterEach(() => {
  for (const sqlite of open.splice(0)) sqlite.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A store file as releases before this one left it: migrated, in WAL mode, auto-vacuum off, with rows. */
async function existingFile(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-auto-vacuum-'));
  dirs.push(dir);
  const file = join(dir, 'switchboard.db');
  const database = openSqlite(file);
  await migrateToLatest(database.db);
  await database.close();
  const seed = connect(file);
  const insert = seed.prepare('insert into instance_secrets (instance_id, secret, created_at) values (?, ?, ?)');
  seed.transaction(() => {
    for (let i = 0; i < 500; i++) insert.run(`inst-${i}`, `secret-${i}`.padEnd(40, 'x'), i);
  })();
  return file;
}

function connect(file: string): SQLite.Database {
  const sqlite = new SQLite(file, { timeout: 0 });
  open.push(sqlite);
  return sqlite;
}

const autoVacuum = (sqlite: SQLite.Database) => sqlite.pragma('auto_vacuum', { simple: true });

describe('enableIncrementalVacuum', () => {
  it('turns it on for an existing file, which keeps its rows, its schema and WAL mode', async () => {
    const file = await existingFile();
    const sqlite = connect(file);
    const rowsBefore = sqlite.prepare('select * from instance_secrets order by instance_id').all();
    const schemaBefore = sqlite.prepare('select type, name, sql from sqlite_master order by name').all();
    expect(autoVacuum(sqlite)).toBe(0);
    expect(enableIncrementalVacuum(sqlite)).toBe(true);
    expect(autoVacuum(sqlite)).toBe(2);
    expect(sqlite.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqlite.pragma('integrity_check', { simple: true })).toBe('ok');
    // seen by a new connection too: the mode is in the file
    const reopened = connect(file);
    expect(autoVacuum(reopened)).toBe(2);
    expect(reopened.prepare('select * from instance_secrets order by instance_id').all()).toEqual(rowsBefore);
    expect(reopened.prepare('select type, name, sql from sqlite_master order by name').all()).toEqual(schemaBefore);
  });

  it('rebuilds nothing the second time', async () => {
    const file = await existingFile();
    expect(enableIncrementalVacuum(connect(file))).toBe(true);
    const sqlite = connect(file);
    const exec = vi.spyOn(sqlite, 'exec');
    expect(enableIncrementalVacuum(sqlite)).toBe(true);
    expect(exec).not.toHaveBeenCalled();
  });

  it('turns it on for a new, empty file in WAL mode', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-auto-vacuum-'));
    dirs.push(dir);
    const sqlite = connect(join(dir, 'new.db'));
    sqlite.pragma('journal_mode = WAL');
    expect(enableIncrementalVacuum(sqlite)).toBe(true);
    expect(autoVacuum(sqlite)).toBe(2);
  });

  it('leaves the file as it was, and says so, while another connection holds the write lock', async () => {
    const file = await existingFile();
    const other = connect(file);
    other.exec('begin immediate');
    const sqlite = connect(file);
    expect(enableIncrementalVacuum(sqlite)).toBe(false);
    other.exec('rollback');
    expect(autoVacuum(sqlite)).toBe(0);
    expect(sqlite.prepare('select count(*) from instance_secrets').pluck().get()).toBe(500);
    // and succeeds once the lock is gone
    expect(enableIncrementalVacuum(sqlite)).toBe(true);
  });
});
