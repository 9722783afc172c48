// One engine per data directory, with real processes: a second `start` fails at once naming
// the holder and touches nothing; the lock goes with the holder however it ends (SIGTERM or
// SIGKILL); the CLI's writing commands keep working beside a running engine.
import SQLite from 'better-sqlite3';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HOLDER_FILE } from '../src/store/data-dir-lock.js';
import { databaseFile } from '../src/store/store.js';
import { runCli } from './support/cli-process.js';
import { spawnEngine, type EngineProcess } from './support/engine-process.js';

const SECRET = 'lock-secret-0123456789abcd';
// Retention is off so that the running engine writes nothing on its own while files are compared.
const CONFIG = `
server:
  retention: 0
systems:
  - id: sys-l
    modules: [{ driver: display }]
triggers:
  - id: t-l
    actions:
      - call: Display_1.power
        args: { state: true }
instances:
  - { id: trig-l, trigger: t-l, system: sys-l, secret: ${SECRET} }
subscriptions:
  - id: sub-l
    url: https://hooks.example.com/in
    events: [lock_test.never_sent]
`;

let dir: string;
let configDir: string;
let dataDir: string;
const engines: EngineProcess[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-lock-'));
  configDir = join(dir, 'config');
  dataDir = join(dir, 'data');
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'site.yaml'), CONFIG);
});

afterAll(async () => {
  for (const engine of engines) {
    if (engine.child.exitCode === null && engine.child.signalCode === null) engine.child.kill('SIGKILL');
    await engine.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

async function startEngine(): Promise<EngineProcess> {
  const engine = await spawnEngine(configDir, dataDir);
  engines.push(engine);
  return engine;
}

/** The engine that holds the lock now (the one started last). */
const current = () => engines.at(-1)!;

async function fire(engine: EngineProcess): Promise<number> {
  const response = await fetch(`${engine.url}/webhook/trig-l/notify?secret=${SECRET}`, { method: 'POST' });
  await response.arrayBuffer();
  return response.status;
}

function fileState(file: string): { size: number; mtimeMs: number } | 'absent' {
  if (!existsSync(file)) return 'absent';
  const { size, mtimeMs } = statSync(file);
  return { size, mtimeMs };
}

/** Runs not yet finished, read without writing (a read-only connection leaves the files as they are). */
function unfinishedRuns(): number {
  const db = new SQLite(databaseFile(dataDir), { readonly: true });
  try {
    return (db.prepare("SELECT count(*) AS n FROM runs WHERE status = 'pending'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}

function checkpoint(): void {
  const db = new SQLite(databaseFile(dataDir));
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/** Size and modification time of the database and its WAL, to show nothing wrote to them. */
function databaseFiles(): Record<string, ReturnType<typeof fileState>> {
  const db = databaseFile(dataDir);
  return { db: fileState(db), wal: fileState(`${db}-wal`) };
}

describe('one engine per data directory', () => {
  it('refuses a second start on the same data directory within seconds, naming the holder, and touches no file', async () => {
    const first = await startEngine();
    expect(await fire(first)).toBe(202);
    // The run's action finishes after the 202: wait for its last write before taking the files' state.
    await vi.waitFor(() => expect(unfinishedRuns()).toBe(0), { timeout: 15_000, interval: 20 });
    // And copy the WAL into the database now, so the engine's background checkpoint has nothing left to write.
    checkpoint();
    const before = databaseFiles();
    expect(before.wal).toEqual({ size: 0, mtimeMs: expect.any(Number) });
    const holder = readFileSync(join(dataDir, HOLDER_FILE), 'utf8');
    expect(holder).toContain(`pid ${first.child.pid} on `);

    const started = Date.now();
    const second = await runCli(['start', '--config', configDir, '--data', dataDir, '--port', '0']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('switchboard: the data directory');
    expect(second.stderr).toContain('is in use by another engine');
    expect(second.stderr).toContain(`pid ${first.child.pid} on `);
    expect(second.stderr).not.toContain('listening on');

    expect(databaseFiles()).toEqual(before);
    expect(readFileSync(join(dataDir, HOLDER_FILE), 'utf8')).toBe(holder);
    expect(await fire(first)).toBe(202);
  });

  it('lets the CLI write to the store beside a running engine: subscriptions --enable and recover', async () => {
    const engine = current();
    // Disabled from outside, as the engine disables a subscription whose deliveries keep failing.
    const other = new SQLite(databaseFile(dataDir));
    try {
      other.pragma('busy_timeout = 2000');
      other
        .prepare(
          `insert into subscription_state (subscription_id, secret, consecutive_exhausted, disabled_at, disabled_reason)
           values ('sub-l', null, 0, ?, 'exhausted 5 deliveries in a row')
           on conflict (subscription_id) do update set disabled_at = excluded.disabled_at, disabled_reason = excluded.disabled_reason`,
        )
        .run(Date.now());
    } finally {
      other.close();
    }

    // Both at once: each CLI process takes a couple of seconds to start.
    const [enabled, recovered] = await Promise.all([
      runCli(['subscriptions', '--config', configDir, '--data', dataDir, '--enable', 'sub-l']),
      runCli(['recover', '--config', configDir, '--data', dataDir, '--since', '1h']),
    ]);
    expect(enabled).toMatchObject({ code: 0, stderr: '' });
    expect(enabled.stdout).toContain('sub-l enabled');
    expect(recovered).toMatchObject({ code: 0, stderr: '' });
    expect(recovered.stdout).toMatch(/^0 failed deliveries created since .* queued again$/m);

    const check = new SQLite(databaseFile(dataDir), { readonly: true });
    try {
      const state = check.prepare("select disabled_at from subscription_state where subscription_id = 'sub-l'").get();
      expect(state).toEqual({ disabled_at: null });
    } finally {
      check.close();
    }
    expect(engine.child.exitCode).toBeNull();
    expect(await fire(engine)).toBe(202);
  });

  it('releases the lock on SIGTERM: a new start on the same directory succeeds', async () => {
    const first = current();
    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dataDir, HOLDER_FILE))).toBe(false);

    const next = await startEngine();
    expect(await fire(next)).toBe(202);
    expect(readFileSync(join(dataDir, HOLDER_FILE), 'utf8')).toContain(`pid ${next.child.pid} on `);
  });

  it('leaves no stale lock after SIGKILL: a new start succeeds at once', async () => {
    const killed = current();
    killed.child.kill('SIGKILL');
    expect((await killed.exited).signal).toBe('SIGKILL');
    // The holder file outlives a killed process; the lock itself does not.
    expect(readFileSync(join(dataDir, HOLDER_FILE), 'utf8')).toContain(`pid ${killed.child.pid} on `);

    const next = await startEngine();
    expect(await fire(next)).toBe(202);
    expect(readFileSync(join(dataDir, HOLDER_FILE), 'utf8')).toContain(`pid ${next.child.pid} on `);
    next.child.kill('SIGTERM');
    expect(await next.exited).toEqual({ code: 0, signal: null });
  });
});
