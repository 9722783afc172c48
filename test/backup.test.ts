// Covers `switchboard backup FILE`: the copy holds the store's rows and passes integrity_check;
// taken while a real engine keeps receiving fires, none of them is refused and the copy is of
// the moment the backup started; an existing FILE (or the database itself) is refused without
// --force; usage errors.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { backupDatabase, type BackupProgress } from '../src/store/backup.js';
import { databaseFile, openStore, type Store } from '../src/store/store.js';
import type { RequestLogRow } from '../src/store/request-log-repo.js';
import { runCli } from './support/run-cli.js';
import { basicConfig, startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'room-secret-0123456789';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A temporary directory with a config (basicConfig) and a data directory not yet made. */
function tempSetup(): { root: string; config: string; data: string } {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-backup-'));
  cleanups.push(async () => rmSync(root, { recursive: true, force: true }));
  const config = join(root, 'config');
  mkdirSync(config);
  for (const [name, text] of Object.entries(basicConfig())) writeFileSync(join(config, name), text);
  return { root, config, data: join(root, 'data') };
}

function requestRow(n: number, body = 'x'): RequestLogRow {
  return {
    id: `req_seed_${n}`,
    instance_id: 'trig-room',
    received_at: Date.now(),
    method: 'POST',
    path: '/webhook/trig-room/notify',
    headers: '{}',
    body: Buffer.from(body),
    body_size: body.length,
    body_truncated: 0,
    status: 202,
    outcome: 'fired',
    run_id: null,
    latency_ms: 1,
    reason: null,
    client_ip: null,
  };
}

/** Commits `count` request rows, in one unit. */
async function seed(store: Store, count: number, body?: string): Promise<void> {
  await store.commit(Array.from({ length: count }, (_, n) => ({ kind: 'request' as const, row: requestRow(n, body) })));
}

/** The ids of the copy's request_log and its integrity_check, read from the file itself. */
function readCopy(file: string): { ids: string[]; integrity: unknown[] } {
  const copy = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    return {
      ids: copy.prepare('select id from request_log order by id').pluck().all() as string[],
      integrity: copy.prepare('pragma integrity_check').pluck().all(),
    };
  } finally {
    copy.close();
  }
}

describe('switchboard backup', () => {
  it('copies a store: the copy has the same rows, passes integrity_check and is one owner-only file', async () => {
    const { root, config, data } = tempSetup();
    const store = await openStore(databaseFile(data));
    await seed(store, 25);
    const expected = (await store.database.db.selectFrom('request_log').select('id').orderBy('id').execute()).map((r) => r.id);
    await store.close();
    const target = join(root, 'copies', 'switchboard-copy.db');
    mkdirSync(join(root, 'copies'));

    const result = await runCli(['backup', target, '--config', config, '--data', data]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(`^backed up ${databaseFile(data)} to ${target}: \\d+ pages, \\d+\\.\\d (KB|MB), integrity ok\\n$`),
    );
    expect(result.stdout).not.toContain(SECRET);

    expect(expected).toHaveLength(25);
    expect(readCopy(target)).toEqual({ ids: expected, integrity: ['ok'] });
    // No partial file left, no -wal or -shm: the copy alone.
    expect(readdirSync(join(root, 'copies'))).toEqual(['switchboard-copy.db']);
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });

  it('copies the database of a running engine that keeps receiving fires, refusing none', async () => {
    const t: TestEngine = await startTestEngine({ files: basicConfig() });
    cleanups.push(() => t.cleanup());
    // Enough rows for a few hundred pages, so the copy takes many steps.
    await seed(t.engine.store, 2_000, 'x'.repeat(1_000));
    const count = async () =>
      Number(
        (
          await t.engine.store.database.db
            .selectFrom('request_log')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();

    const url = t.url(`/webhook/trig-room/notify?secret=${SECRET}`);
    const statuses: number[] = [];
    let firing = true;
    const fireUntilDone = async () => {
      while (firing) {
        // A fire that fails outright counts as status 0: the copy goes on, the test says which.
        const status = await fetch(url, { method: 'POST' }).then(
          async (response) => {
            await response.arrayBuffer();
            return response.status;
          },
          () => 0,
        );
        statuses.push(status);
      }
    };
    const firers = Array.from({ length: 4 }, fireUntilDone);

    // The copy holds after its first step until 40 more fires are answered, then goes on a
    // few pages a step while the fires go on: the two surely overlap, however fast either is.
    let answeredAtStart: number | undefined;
    const steps: BackupProgress[] = [];
    const pagesPerStep = (progress: BackupProgress) => {
      steps.push(progress);
      answeredAtStart ??= statuses.length;
      return statuses.length - answeredAtStart < 40 ? 0 : 8;
    };
    const target = join(t.dir, 'running-copy.db');
    const copied = await backupDatabase(databaseFile(t.dataDir), target, { pagesPerStep }).finally(() => (firing = false));
    await Promise.all(firers);

    expect(statuses.length - answeredAtStart!).toBeGreaterThanOrEqual(40);
    expect(statuses.filter((status) => status !== 202)).toEqual([]);
    expect(copied.pages).toBeGreaterThan(100);
    expect(steps.filter((step) => step.remainingPages > 0 && step.remainingPages < step.totalPages).length).toBeGreaterThan(1);

    const copy = readCopy(target);
    expect(copy.integrity).toEqual(['ok']);
    // Every row committed before the backup started; not the fires answered while it held.
    expect(copy.ids.length).toBeGreaterThanOrEqual(before);
    const inCopy = new Set(copy.ids);
    expect(Array.from({ length: 2_000 }, (_, n) => `req_seed_${n}`).filter((id) => !inCopy.has(id))).toEqual([]);
    // A 202 promises its row was committed, so the store has one per fire.
    const after = await count();
    expect(after).toBe(before + statuses.length);
    expect(copy.ids.length).toBeLessThan(after);
  });

  it('refuses an existing FILE unless --force is given, and never writes over the database itself', async () => {
    const { root, config, data } = tempSetup();
    const store = await openStore(databaseFile(data));
    await seed(store, 3);
    await store.close();
    const target = join(root, 'existing.db');
    writeFileSync(target, 'an older backup');

    const refused = await runCli(['backup', target, '--config', config, '--data', data]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(`switchboard: ${target} already exists; give --force to replace it\n`);
    expect(readFileSync(target, 'utf8')).toBe('an older backup');
    expect(readdirSync(root).filter((name) => name.includes('partial'))).toEqual([]);

    const forced = await runCli(['backup', target, '--force', '--config', config, '--data', data]);
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(readCopy(target)).toEqual({ ids: ['req_seed_0', 'req_seed_1', 'req_seed_2'], integrity: ['ok'] });

    const itself = await runCli(['backup', databaseFile(data), '--force', '--config', config, '--data', data]);
    expect(itself.code).toBe(1);
    expect(itself.stderr).toContain('is the database itself');
    expect(readCopy(databaseFile(data)).ids).toHaveLength(3);
  });

  it('says which data directory has no database, exit 1', async () => {
    const { root, config, data } = tempSetup();
    const result = await runCli(['backup', join(root, 'copy.db'), '--config', config, '--data', data]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`there is no database in the data directory ${data}`);
    expect(existsSync(join(root, 'copy.db'))).toBe(false);
  });

  it('needs exactly one FILE and takes only its options (usage errors, exit 2)', async () => {
    const { root, config, data } = tempSetup();
    const none = await runCli(['backup', '--config', config, '--data', data]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('backup needs the file to write: switchboard backup FILE');

    const two = await runCli(['backup', join(root, 'a.db'), join(root, 'b.db'), '--config', config]);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('backup takes one file, not 2');

    const other = await runCli(['backup', join(root, 'a.db'), '--json']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('backup does not take --json; it takes --config DIR, --data DIR, --force, --help');

    for (const result of [none, two, other]) {
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain('run `switchboard --help` for usage');
    }
    expect(readdirSync(root).sort()).toEqual(['config']);
  });
});
