// The fire path's ceiling on this machine: how fast the engine's stack answers a fire when
// it does the least a fire must do, next to a bare node:http server and the engine itself,
// interleaved in one run. The aim (fire path >= 0.5 x bare) is only reachable if
// this prototype reaches it with room to spare: the engine must also check, redact, record
// and run what the prototype skips. See bench/README.md ("The ceiling").
//
//   npm run bench:ceiling                      3 rounds of 10 s per target, about 3 minutes
//   BENCH_ROUNDS=1 BENCH_SECONDS=4 node dist/bench/ceiling.js --json
//
// Targets, each answering the same POST as bench/inbound.ts's fire (50 connections):
//   bare         node:http: read the body, compare the secret, 202
//   next turn    Koa + the engine's six routes + raw-body, answering one event-loop turn later
//   main thread  the same, after committing a fire's writes (request-log row, run row,
//                counter; then the run's end) with the engine's SqliteWriter, grouped per turn
//   worker       the same writes by a SqliteWriter in a worker thread
//   fire         the engine (startEngine), its whole fire path
// Each target runs in a child process of its own (support/ceiling-target.ts); the load
// generator runs in this one. Figures: req/s, latency, ratio to bare in the same round, and
// the CPU time of the target's process (all its threads) per request.
import { randomBytes } from 'node:crypto';
import type { CeilingKind } from './support/ceiling-servers.js';
import { fmt } from './support/format.js';
import { forkServer } from './support/forked-server.js';
import { cleanupOnInterrupt, runBench } from './support/lifecycle.js';
import { failuresOf, measure, type Summary, type Target } from './support/load.js';
import { log } from './support/log.js';
import { processTicks } from './support/other-cpu.js';
import { describeMachine, loadNow, machineHeader, machineNote } from './support/machine.js';
import { FIRE_PATH } from './support/node-red.js';
import { integerSetting, JSON_OUTPUT, positiveSetting } from './support/settings.js';
import { table } from './support/table.js';
import { benchTempDir } from './support/tempdir.js';

const CONNECTIONS = 50;
const ROUNDS = integerSetting('BENCH_ROUNDS', 3, 1);
const SECONDS = positiveSetting('BENCH_SECONDS', 10, 'expected a positive number of seconds');
const WARMUP_SECONDS = positiveSetting('BENCH_WARMUP_SECONDS', 2, 'expected a positive number of seconds');
const WORKERS = process.env.BENCH_WORKERS === '0' ? 0 : 1;
const FIRE_BODY = JSON.stringify({ event: 'motion', zone: 'lobby', sensor: 'pir-3', value: 1 });

type Name = 'bare' | CeilingKind | 'fire';
const NAMES: readonly Name[] = ['bare', 'next turn', 'main thread', 'worker', 'fire'];

interface Result {
  round: number;
  target: Name;
  loadavg1m: number;
  measured: Summary;
  /** CPU time of the target's process (all its threads) per request. */
  cpuUsPerRequest: number;
  problems: string[];
}

/** A target running in a child process of its own. */
interface Forked {
  url: string;
  pid: number;
  /** Resolves once the target has nothing in flight (the engine's runs finished). */
  drained(): Promise<void>;
}

async function fork(name: Name, dir: string, secret: string): Promise<Forked> {
  const { child, hello } = await forkServer<{ url: string }>(
    new URL('./support/ceiling-target.js', import.meta.url),
    [name, dir],
    {
      ...process.env,
      CEILING_SECRET: secret,
    },
  );
  const { url } = hello;
  log(`${name} at ${url} (pid ${child.pid})`);
  return {
    url,
    pid: child.pid!,
    drained: () =>
      new Promise<void>((resolve) => {
        child.once('message', () => resolve());
        child.send({ drain: true });
      }),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

cleanupOnInterrupt();

async function main(): Promise<void> {
  const machine = describeMachine();
  log(machineNote(machine));
  const dir = benchTempDir('switchboard-ceiling-');
  const secret = randomBytes(24).toString('base64url');
  const notes: string[] = [];

  const targets = new Map<Name, Forked>();
  for (const name of NAMES) targets.set(name, await fork(name, dir, secret));
  const results: Result[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    log(`round ${round}/${ROUNDS}`);
    for (const name of NAMES) {
      const target: Target = {
        name,
        url: `${targets.get(name)!.url}${FIRE_PATH}?secret=${secret}`,
        method: 'POST',
        body: FIRE_BODY,
        headers: { 'content-type': 'application/json' },
      };
      const loadavg1m = loadNow();
      const forked = targets.get(name)!;
      const cpuBefore = processTicks(forked.pid);
      const { warmup, measured } = await measure(
        target,
        { connections: CONNECTIONS, workers: WORKERS, pipelining: 1 },
        WARMUP_SECONDS,
        SECONDS,
      );
      const cpuMs = (processTicks(forked.pid) - cpuBefore) * 10;
      await forked.drained();
      const problems = [...failuresOf(warmup, 'warm-up'), ...failuresOf(measured, 'measured')];
      log(`  ${name}: ${fmt(measured.reqPerSec, 0)} req/s${problems.length ? ' FLAGGED' : ''}`);
      // The target's whole process (every thread) over warm-up and measured run, per request.
      const cpuUsPerRequest = (cpuMs * 1000) / (warmup.requests + measured.requests);
      results.push({ round, target: name, loadavg1m, measured, cpuUsPerRequest, problems });
    }
  }

  const ratio = (r: Result) =>
    r.measured.reqPerSec / results.find((b) => b.round === r.round && b.target === 'bare')!.measured.reqPerSec;
  const rows = [['round', 'target', 'req/s', 'p50 ms', 'p99 ms', 'x bare', 'cpu µs/req', 'load']];
  for (const r of results)
    rows.push([
      String(r.round),
      r.target,
      fmt(r.measured.reqPerSec, 0),
      String(r.measured.p50Ms),
      String(r.measured.p99Ms),
      fmt(ratio(r)),
      fmt(r.cpuUsPerRequest, 0),
      String(r.loadavg1m),
    ]);
  const summary = NAMES.map((name) => {
    const of = results.filter((r) => r.target === name);
    return {
      target: name,
      reqPerSec: median(of.map((r) => r.measured.reqPerSec)),
      ratioToBare: median(of.map(ratio)),
      cpuUsPerRequest: median(of.map((r) => r.cpuUsPerRequest)),
    };
  });
  const summaryRows = [['target', 'req/s (median)', 'x bare (median)', 'cpu µs/req (median)']];
  for (const s of summary) summaryRows.push([s.target, fmt(s.reqPerSec, 0), fmt(s.ratioToBare), fmt(s.cpuUsPerRequest, 0)]);
  const best = Math.max(...summary.filter((s) => s.target === 'main thread' || s.target === 'worker').map((s) => s.ratioToBare));
  console.log(
    [
      machineHeader(machine),
      `${CONNECTIONS} connections, ${ROUNDS} interleaved rounds of ${SECONDS}s per target after a ${WARMUP_SECONDS}s warm-up; autocannon in ${WORKERS} worker thread`,
      '',
      table(rows),
      '',
      table(summaryRows),
      '',
      `ceiling: the engine's stack committing a fire's writes and nothing else reaches ${fmt(best)} x bare; the fire path aim is 0.5 x bare`,
      ...notes.map((n) => `note: ${n}`),
    ].join('\n'),
  );
  if (JSON_OUTPUT) console.log(JSON.stringify({ machine, results, summary, ceilingRatio: best, notes }, null, 2));
  if (results.some((r) => r.problems.length > 0)) {
    for (const r of results) for (const p of r.problems) console.error(`round ${r.round} ${r.target}: ${p}`);
    process.exitCode = 1;
  }
}

await runBench(main);
