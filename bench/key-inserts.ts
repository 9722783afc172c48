// Idempotency keys' cost on SQLite, shown alone: what a commit of 50 fires pays to add 50
// keys to a b-tree ordered by key. A sender's delivery ids are random, so each key lands on
// its own leaf page once the table outgrows a batch, and every dirty page goes to the WAL at
// commit; a table appended in time order (the request log, runs) dirties a page or two.
// Same process, same file settings as the engine (WAL, synchronous normal, 4 KiB pages),
// interleaved: keys in time order (the baseline), then random keys, as the engine stores
// them (WITHOUT ROWID, with the expiry index the sweep uses). Reports rows/s and WAL bytes
// per row, and the ratio.
//
//   npm run build && node dist/bench/key-inserts.js        200,000 keys in batches of 50
//   BENCH_KEYS=500000 BENCH_BATCH=50 node dist/bench/key-inserts.js
import { randomUUID } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import SQLite from 'better-sqlite3';
import { fmt } from './support/format.js';
import { cleanupOnInterrupt, closers, runBench } from './support/lifecycle.js';
import { log } from './support/log.js';
import { describeMachine, machineHeader } from './support/machine.js';
import { integerSetting } from './support/settings.js';
import { benchTempDir } from './support/tempdir.js';

const KEYS = integerSetting('BENCH_KEYS', 200_000, 1_000);
const BATCH = integerSetting('BENCH_BATCH', 50, 1);

interface Run {
  order: 'time order' | 'random';
  rowsPerSecond: number;
  walBytesPerRow: number;
}

function run(dir: string, order: Run['order']): Run {
  const file = join(dir, `${order === 'random' ? 'random' : 'ordered'}.db`);
  const db = new SQLite(file);
  db.pragma('journal_mode = wal');
  db.pragma('synchronous = normal');
  // Checkpoints by hand at the end: the WAL's growth is what a commit wrote.
  db.pragma('wal_autocheckpoint = 0');
  db.exec(`create table idempotency_keys (key text primary key, run_id text not null, expires_at bigint not null) without rowid;
    create index idempotency_keys_expiry on idempotency_keys (expires_at);`);
  const insert = db.prepare(`insert into idempotency_keys (key, run_id, expires_at) values (?, ?, ?)
    on conflict (key) do update set run_id = excluded.run_id, expires_at = excluded.expires_at
    where idempotency_keys.expires_at <= ?`);
  const commit = db.transaction((first: number) => {
    for (let i = first; i < first + BATCH; i++) {
      const key = order === 'random' ? `trig-bench\n${randomUUID()}` : `trig-bench\n${String(i).padStart(12, '0')}`;
      insert.run(key, `run_${String(i).padStart(22, '0')}`, 1_000_000 + i, 1_000_000 + i - 86_400_000);
    }
  });
  const started = performance.now();
  for (let first = 0; first < KEYS; first += BATCH) commit.immediate(first);
  const seconds = (performance.now() - started) / 1000;
  const wal = statSync(`${file}-wal`).size;
  db.close();
  rmSync(file, { force: true });
  return { order, rowsPerSecond: KEYS / seconds, walBytesPerRow: wal / KEYS };
}

cleanupOnInterrupt();
async function main(): Promise<void> {
  const dir = benchTempDir('switchboard-key-inserts-');
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  log(`${KEYS} keys in transactions of ${BATCH}, twice each order, interleaved`);
  const runs: Run[] = [];
  for (let round = 0; round < 2; round++) runs.push(run(dir, 'time order'), run(dir, 'random'));
  console.log(machineHeader(describeMachine()));
  for (const r of runs)
    console.log(
      `${r.order.padEnd(10)}  ${fmt(r.rowsPerSecond).padStart(9)} keys/s  ${fmt(r.walBytesPerRow).padStart(6)} WAL bytes per key`,
    );
  const best = (order: Run['order']) => Math.max(...runs.filter((r) => r.order === order).map((r) => r.rowsPerSecond));
  const wal = (order: Run['order']) => Math.min(...runs.filter((r) => r.order === order).map((r) => r.walBytesPerRow));
  console.log(
    `random keys: ${fmt(best('random') / best('time order'))} x the keys/s of keys in time order, ` +
      `${fmt(wal('random') / wal('time order'))} x the WAL bytes per key`,
  );
}

await runBench(main);
