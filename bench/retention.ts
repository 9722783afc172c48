// Retention benchmark: whether pruning a large store leaves the event loop free. It seeds a
// store file with 1,000,000 old request-log rows of about 1 KB (plus old runs, deliveries and
// events, and pending and recent rows retention must keep), then runs the real RetentionRepo
// round (the batched prune, then giving the space back) while monitorEventLoopDelay samples
// every millisecond, and reports the longest and 99th-percentile delay, the WAL and the file
// size. In the same run: the event loop of the idle process (the baseline, the machine's own
// noise) and, on a copy of the same file, the prune as it was before (one transaction).
//
//   npm run bench:retention
//   BENCH_ROWS=100000 BENCH_REFERENCE=0 node dist/bench/retention.js --json
//
// Env: BENCH_ROWS (old request-log rows, default 1,000,000), BENCH_BODY_BYTES (each one's
// body, default 1000), BENCH_IDLE_SECONDS (the baseline's window, default 3), BENCH_REFERENCE
// (1: also run the one-transaction prune on a copy, the default; 0: skip it, which halves the
// disk used). Everything it writes lives in one temp dir it deletes: at the default size
// about 1.3 GB, twice that with the reference.
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import SQLite from 'better-sqlite3';
import { enableIncrementalVacuum } from '../src/store/auto-vacuum.js';
import { openSqlite } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_VACUUM_STEP_PAGES, type Pruned } from '../src/store/retention-repo.js';
import { openStore, type Store } from '../src/store/store.js';
import { fmt } from './support/format.js';
import { cleanupOnInterrupt, closers, runBench } from './support/lifecycle.js';
import { log } from './support/log.js';
import { describeMachine, machineHeader, machineNote } from './support/machine.js';
import { pruneInOneTransaction } from './support/prune-one-transaction.js';
import { countRows, flushToDisk, seed, type Seeded, type SeededTable } from './support/retention-seed.js';
import { integerSetting, JSON_OUTPUT, positiveSetting } from './support/settings.js';
import { table } from './support/table.js';
import { benchTempDir } from './support/tempdir.js';

const ROWS = integerSetting('BENCH_ROWS', 1_000_000, 1);
const BODY_BYTES = integerSetting('BENCH_BODY_BYTES', 1_000, 0);
const IDLE_SECONDS = positiveSetting('BENCH_IDLE_SECONDS', 3);
const REFERENCE = integerSetting('BENCH_REFERENCE', 1, 0) > 0;

// Aim: no stretch of the event loop longer than 50 ms while retention runs, on an idle
// machine (a request arriving then waits at most that long for its turn).
const AIM_MAX_DELAY_MS = 50;

const DAY = 86_400_000;
const MB = 1024 * 1024;

interface Watched<T> {
  value: T;
  seconds: number;
  /** The event loop's longest and 99th-percentile delay while `work` ran, in ms. */
  maxMs: number;
  p99Ms: number;
}

interface PathResult {
  path: string;
  rowsDeleted?: number;
  seconds: number;
  maxMs: number;
  p99Ms: number;
  walBytesAfter?: number;
  fileBytesBefore?: number;
  fileBytesAfter?: number;
  /** Pages the incremental vacuum gave back. */
  freedPages?: number;
}

/** Runs `work` while the event loop's delay is sampled every millisecond. */
async function watched<T>(work: () => Promise<T>): Promise<Watched<T>> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // The histogram records from its second sample on: one stretch of work started at once
  // (the one-transaction prune is one) would otherwise go unrecorded.
  await sleep(10);
  const start = performance.now();
  const value = await work();
  const seconds = (performance.now() - start) / 1000;
  // A few more samples, so that a block at the very end is recorded too.
  await sleep(10);
  histogram.disable();
  return { value, seconds, maxMs: histogram.max / 1e6, p99Ms: histogram.percentile(99) / 1e6 };
}

const size = (file: string) => (existsSync(file) ? statSync(file).size : 0);
const deleted = (p: Pruned) => p.requests + p.runs + p.deliveries + p.events;

async function openWatchedStore(file: string): Promise<Store> {
  // As the engine opens it: WAL checkpoints in a worker thread, retention's commits leave them to it.
  const store = await openStore(file, { maintenance: { onProblem: (message) => log(`store: ${message}`) } });
  closers.push(() => store.close());
  // As the engine runs once it serves: no query waits for a lock on the event loop.
  store.neverBlock();
  return store;
}

/** The file as the store will open it from now on: migrated, with incremental auto-vacuum. */
async function createStoreFile(file: string): Promise<void> {
  const database = openSqlite(file);
  await migrateToLatest(database.db);
  await database.close();
  const sqlite = new SQLite(file);
  try {
    if (!enableIncrementalVacuum(sqlite)) throw new Error('could not turn on incremental auto-vacuum');
  } finally {
    sqlite.close();
  }
}

function quickCheck(file: string): string {
  const sqlite = new SQLite(file, { readonly: true });
  try {
    return String(sqlite.pragma('quick_check', { simple: true }));
  } finally {
    sqlite.close();
  }
}

/** What is wrong with the rows left after a prune, if anything. */
function problemsAfter(file: string, seeded: Seeded, pruned: Pruned, expected: Pruned): string[] {
  const problems: string[] = [];
  for (const kind of Object.keys(expected) as (keyof Pruned)[])
    if (pruned[kind] !== expected[kind]) problems.push(`pruned ${pruned[kind]} ${kind}, expected ${expected[kind]}`);
  const left = countRows(file);
  for (const t of Object.keys(left) as SeededTable[])
    if (left[t] !== seeded.kept[t]) problems.push(`${t}: ${left[t]} rows left, expected ${seeded.kept[t]}`);
  return problems;
}

async function main(): Promise<void> {
  cleanupOnInterrupt();
  const machine = describeMachine();
  log(
    `retention: ${ROWS} old request-log rows of ${BODY_BYTES} bytes, batches of ${DEFAULT_BATCH_SIZE}; ${machineNote(machine)}`,
  );
  const root = benchTempDir('switchboard-retention-');
  const file = join(root, 'switchboard.db');
  const before = Date.now() - 30 * DAY;

  await createStoreFile(file);
  const seedStart = performance.now();
  const seeded = seed(file, { requests: ROWS, bodyBytes: BODY_BYTES, before });
  const seededBytes = size(file);
  log(`seeded in ${fmt((performance.now() - seedStart) / 1000, 1)} s: ${fmt(seededBytes / MB, 0)} MB`);
  const expected: Pruned = {
    requests: seeded.total.request_log - seeded.kept.request_log,
    runs: seeded.total.runs - seeded.kept.runs,
    deliveries: seeded.total.deliveries - seeded.kept.deliveries,
    events: seeded.total.events - seeded.kept.events,
  };
  const referenceFile = join(root, 'reference.db');
  if (REFERENCE) {
    copyFileSync(file, referenceFile);
    flushToDisk(referenceFile);
  }

  log(`idle baseline: ${IDLE_SECONDS} s`);
  const idle = await watched(() => sleep(IDLE_SECONDS * 1000));
  const results: PathResult[] = [{ path: 'idle (baseline)', seconds: idle.seconds, maxMs: idle.maxMs, p99Ms: idle.p99Ms }];
  const problems: string[] = [];

  log('batched prune');
  const store = await openWatchedStore(file);
  const prune = await watched(() => store.retention.prune(before));
  results.push({
    path: `batched prune (${DEFAULT_BATCH_SIZE} rows/transaction)`,
    rowsDeleted: deleted(prune.value),
    seconds: prune.seconds,
    maxMs: prune.maxMs,
    p99Ms: prune.p99Ms,
    walBytesAfter: size(`${file}-wal`),
    fileBytesBefore: seededBytes,
    fileBytesAfter: size(file),
  });
  problems.push(...problemsAfter(file, seeded, prune.value, expected).map((p) => `batched prune: ${p}`));

  log('giving space back');
  const fileBeforeVacuum = size(file);
  const reclaim = await watched(() => store.retention.reclaimSpace());
  results.push({
    path: `  then incremental vacuum (<= ${DEFAULT_VACUUM_STEP_PAGES} pages/step) + checkpoint`,
    seconds: reclaim.seconds,
    maxMs: reclaim.maxMs,
    p99Ms: reclaim.p99Ms,
    walBytesAfter: size(`${file}-wal`),
    fileBytesBefore: fileBeforeVacuum,
    fileBytesAfter: size(file),
    freedPages: reclaim.value.freedPages,
  });
  if (!reclaim.value.walTruncated) problems.push('reclaim: the WAL was not truncated');
  if (reclaim.value.freePages !== 0) problems.push(`reclaim: ${reclaim.value.freePages} pages still free`);
  const integrity = quickCheck(file);
  if (integrity !== 'ok') problems.push(`quick_check after the vacuum: ${integrity}`);

  if (REFERENCE) {
    log('one-transaction prune (the reference)');
    const reference = await openWatchedStore(referenceFile);
    const one = await watched(() => pruneInOneTransaction(reference.database.db, before));
    results.push({
      path: 'one transaction (before; reference)',
      rowsDeleted: deleted(one.value),
      seconds: one.seconds,
      maxMs: one.maxMs,
      p99Ms: one.p99Ms,
      walBytesAfter: size(`${referenceFile}-wal`),
      fileBytesBefore: seededBytes,
      fileBytesAfter: size(referenceFile),
    });
    problems.push(...problemsAfter(referenceFile, seeded, one.value, expected).map((p) => `reference: ${p}`));
  }

  const mb = (bytes: number | undefined) => (bytes === undefined ? '' : fmt(bytes / MB, 1));
  console.log(machineHeader(machine));
  console.log(
    table([
      [
        'path',
        'rows deleted',
        'seconds',
        'rows/s',
        'loop max ms',
        'loop p99 ms',
        'WAL MB after',
        'file MB before',
        'file MB after',
      ],
      ...results.map((r) => [
        r.path,
        r.rowsDeleted === undefined ? '' : String(r.rowsDeleted),
        fmt(r.seconds, 2),
        r.rowsDeleted === undefined ? '' : fmt(r.rowsDeleted / r.seconds, 0),
        fmt(r.maxMs, 1),
        fmt(r.p99Ms, 1),
        mb(r.walBytesAfter),
        mb(r.fileBytesBefore),
        mb(r.fileBytesAfter),
      ]),
    ]),
  );
  const batched = results[1]!;
  const vacuum = results[2]!;
  const reference = results[3];
  if (reference)
    console.log(
      `batched against one transaction: x ${fmt(batched.seconds / reference.seconds)} the time; ` +
        `the one transaction's longest event-loop delay is x ${fmt(reference.maxMs / batched.maxMs, 0)} the batched prune's`,
    );
  const worst = Math.max(batched.maxMs, vacuum.maxMs);
  const meetsAim = problems.length === 0 && worst < AIM_MAX_DELAY_MS;
  console.log(
    `aim: longest event-loop delay while retention runs < ${AIM_MAX_DELAY_MS} ms on an idle machine: ` +
      `${meetsAim ? 'met' : 'NOT met'} (${fmt(worst, 1)} ms; idle baseline ${fmt(idle.maxMs, 1)} ms; ` +
      `load avg (1m) at start ${machine.loadavg1m} on ${machine.cores} cores)`,
  );
  for (const p of problems) console.log(`FLAGGED ${p}`);
  if (JSON_OUTPUT)
    console.log(
      JSON.stringify({
        machine,
        rows: ROWS,
        bodyBytes: BODY_BYTES,
        aimMaxDelayMs: AIM_MAX_DELAY_MS,
        meetsAim,
        problems,
        results,
      }),
    );
  if (!meetsAim) process.exitCode = 1;
}

await runBench(main);
