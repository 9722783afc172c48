// Group commit: writes of one event-loop turn share a transaction, a bad write fails
// alone, and nothing is committed inside someone else's open transaction.
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { WriteBatcher } from './write-batcher.js';

function table() {
  const sqlite = new SQLite(':memory:');
  sqlite.exec('create table t (id integer primary key, v text not null)');
  const insert = sqlite.prepare<{ id: number; v: string | null }>('insert into t (id, v) values (@id, @v)');
  const count = () => (sqlite.prepare('select count(*) as n from t').get() as { n: number }).n;
  return { sqlite, insert, count, batcher: new WriteBatcher(sqlite) };
}

describe('WriteBatcher', () => {
  it('commits the writes of one turn in one transaction and resolves each once committed', async () => {
    const { sqlite, insert, count, batcher } = table();
    let commits = 0;
    const original = sqlite.transaction.bind(sqlite);
    sqlite.transaction = ((fn: () => void) => {
      commits++;
      return original(fn);
    }) as typeof sqlite.transaction;
    const writes = Array.from({ length: 50 }, (_, i) => batcher.write(() => insert.run({ id: i, v: 'x' })));
    expect(count()).toBe(0); // nothing before the turn ends
    await Promise.all(writes);
    expect(count()).toBe(50);
    expect(commits).toBe(1);
  });

  it('rejects only the bad write of a batch and commits its neighbours', async () => {
    const { insert, count, batcher } = table();
    const results = await Promise.allSettled([
      batcher.write(() => insert.run({ id: 1, v: 'a' })),
      batcher.write(() => insert.run({ id: 2, v: null })), // NOT NULL
      batcher.write(() => insert.run({ id: 3, v: 'c' })),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason.message).toMatch(/NOT NULL/);
    expect(count()).toBe(2);
  });

  it('waits for another open transaction on the connection instead of joining it', async () => {
    const { sqlite, insert, count, batcher } = table();
    sqlite.exec('begin');
    let settled = false;
    const write = batcher.write(() => insert.run({ id: 1, v: 'a' })).then(() => (settled = true));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    sqlite.exec('rollback'); // the other transaction is abandoned; our write must survive it
    await write;
    expect(count()).toBe(1);
  });

  it('refuses writes after close, having committed what was pending', async () => {
    const { insert, count, batcher } = table();
    const pending = batcher.write(() => insert.run({ id: 1, v: 'a' }));
    batcher.close();
    await pending;
    expect(count()).toBe(1);
    await expect(batcher.write(() => insert.run({ id: 2, v: 'b' }))).rejects.toThrow('the database is closed');
  });
});
