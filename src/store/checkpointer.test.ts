// The checkpoint worker: it copies the WAL into the database while the writer never
// checkpoints, and leaves the WAL empty when it stops.
import SQLite from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Checkpointer } from './checkpointer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A database whose writer never checkpoints, holding rows that are all still in the WAL. */
function walOnlyDatabase(): { file: string; writer: SQLite.Database } {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-checkpoint-'));
  dirs.push(dir);
  const file = join(dir, 'test.db');
  const writer = new SQLite(file);
  writer.pragma('journal_mode = WAL');
  writer.pragma('wal_autocheckpoint = 0');
  writer.exec('create table t (x blob)');
  const insert = writer.prepare('insert into t (x) values (randomblob(1000))');
  writer.transaction(() => {
    for (let i = 0; i < 2_000; i++) insert.run();
  })();
  return { file, writer };
}

const size = (file: string) => statSync(file).size;

describe('Checkpointer', () => {
  it('copies the WAL into the database on its own, the writer never checkpointing', async () => {
    const { file, writer } = walOnlyDatabase();
    const before = size(file);
    expect(size(`${file}-wal`)).toBeGreaterThan(2_000_000);
    const problems: string[] = [];
    const checkpointer = new Checkpointer(
      file,
      'normal',
      { onError: (m) => problems.push(m), onLost: (m) => problems.push(m) },
      { everyMs: 5 },
    );
    try {
      await vi.waitFor(() => expect(size(file)).toBeGreaterThan(before + 2_000_000), { timeout: 10_000, interval: 10 });
    } finally {
      await checkpointer.stop();
      writer.close();
    }
    expect(problems).toEqual([]);
  });

  it('leaves the WAL empty when it stops, and the rows in the database', async () => {
    const { file, writer } = walOnlyDatabase();
    const checkpointer = new Checkpointer(file, 'normal', { onError: () => {}, onLost: () => {} }, { everyMs: 60_000 });
    await checkpointer.stop();
    expect(size(`${file}-wal`)).toBe(0);
    writer.close();
    const reader = new SQLite(file, { readonly: true });
    expect(reader.prepare('select count(*) as n from t').get()).toEqual({ n: 2_000 });
    reader.close();
  });

  it('starts a large WAL over while commits go on, so the writer can cut it back', async () => {
    const { file, writer } = walOnlyDatabase();
    // The connection that starts the WAL over cuts the file back to this.
    writer.pragma('journal_size_limit = 0');
    const checkpointer = new Checkpointer(
      file,
      'normal',
      { onError: () => {}, onLost: () => {} },
      { everyMs: 5, restartBytes: 1024 * 1024 },
    );
    const insert = writer.prepare('insert into t (x) values (randomblob(100))');
    try {
      await vi.waitFor(
        () => {
          try {
            insert.run();
          } catch (error) {
            if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
          }
          expect(size(`${file}-wal`)).toBeLessThan(100_000);
        },
        { timeout: 10_000, interval: 5 },
      );
    } finally {
      await checkpointer.stop();
      writer.close();
    }
  });

  it('says while its RESTART holds commits back, so the store does not take it for a fault', async () => {
    const { file, writer } = walOnlyDatabase();
    const checkpointer = new Checkpointer(
      file,
      'normal',
      { onError: () => {}, onLost: () => {} },
      { everyMs: 5, restartBytes: 1024 },
    );
    try {
      expect(checkpointer.holdsCommits()).toBe(false);
      // A commit in progress: the RESTART waits for it, holding new commits back meanwhile.
      writer.exec('begin immediate');
      await vi.waitFor(() => expect(checkpointer.holdsCommits()).toBe(true), { timeout: 10_000, interval: 1 });
      writer.exec('commit');
      await vi.waitFor(() => expect(checkpointer.holdsCommits()).toBe(false), { timeout: 10_000, interval: 1 });
    } finally {
      await checkpointer.stop();
      writer.close();
    }
  });

  it('stops once however often it is asked', async () => {
    const { file, writer } = walOnlyDatabase();
    const checkpointer = new Checkpointer(file, 'full', { onError: () => {}, onLost: () => {} });
    await Promise.all([checkpointer.stop(), checkpointer.stop()]);
    await checkpointer.stop();
    expect(size(`${file}-wal`)).toBe(0);
    writer.close();
  });
});
