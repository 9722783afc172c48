// The engine's PostgreSQL lock (one engine per database for now): held on a connection of its
// own; when that connection is lost the lock is taken again once the server answers, and
// when another engine took it meanwhile the engine says so.
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseInUse, lockDatabase, type EngineLock } from '../src/store/pg-engine-lock.js';
import { adminQuery, freshSchema, postgresAvailable, throughProxy, type Schema } from './support/postgres.js';
import type { TcpProxy } from './support/tcp-proxy.js';

let schema: Schema | undefined;
let proxy: TcpProxy | undefined;
const locks: EngineLock[] = [];
afterEach(async () => {
  for (const lock of locks.splice(0)) await lock.release();
  await proxy?.close();
  await schema?.drop();
  proxy = undefined;
  schema = undefined;
});

/** Waits (a turn at a time, up to 10 s) until `check` holds. */
async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const holders = async (name: string) =>
  (
    await adminQuery(
      `select count(*)::int as n from pg_locks where locktype = 'advisory' and granted
       and objid::bigint = (hashtext('switchboard engine ${name}')::bigint & 4294967295)`,
    )
  ).rows[0].n as number;

/** A fresh schema locked through a proxy (retaken 20 ms after a loss); what the lock reports. */
async function lockThroughProxy(): Promise<string[]> {
  schema = await freshSchema();
  const proxied = await throughProxy(schema.url);
  proxy = proxied.proxy;
  const problems: string[] = [];
  locks.push(await lockDatabase(proxied.url, (message) => problems.push(message), { retakeMs: 20 }));
  return problems;
}

describe.runIf(postgresAvailable)('the engine`s PostgreSQL lock', () => {
  it('is refused to a second holder, and taken again after its connection was lost', async () => {
    const problems = await lockThroughProxy();
    expect(await holders(schema!.schema)).toBe(1);
    await expect(lockDatabase(schema!.url, () => {})).rejects.toBeInstanceOf(DatabaseInUse);

    await proxy!.cut(); // the lock's connection goes, and the server drops the lock
    await until('the lock is gone', async () => (await holders(schema!.schema)) === 0);
    await proxy!.restore();
    await until('the lock is held again', async () => (await holders(schema!.schema)) === 1);
    expect(problems).toEqual([expect.stringMatching(/^lost the engine's database lock \(.+\); taking it again in 0\.02 s$/)]);
    await expect(lockDatabase(schema!.url, () => {})).rejects.toBeInstanceOf(DatabaseInUse);
  });

  it('says so when another engine took the lock while its connection was lost', async () => {
    const problems = await lockThroughProxy();
    await proxy!.cut();
    await until('the lock is gone', async () => (await holders(schema!.schema)) === 0);
    locks.push(await lockDatabase(schema!.url, () => {}));
    await proxy!.restore();
    await until('the first engine says so', () =>
      problems.some((p) => p.endsWith('two engines share this database now; stop one')),
    );
    expect(problems.at(-1)).toMatch(
      /^the PostgreSQL database \(schema sb_test_\w+\) is in use by another engine \(switchboard pid \d+/,
    );
  });
});
