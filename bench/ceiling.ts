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
import {
  describeRounds,
  forkTarget,
  roundSettingsFromEnv,
  reportProblems,
  roundTables,
  runRounds,
  type Forked,
} from './support/forked-rounds.js';
import { cleanupOnInterrupt, runBench } from './support/lifecycle.js';
import { log } from './support/log.js';
import { describeMachine, machineHeader, machineNote } from './support/machine.js';
import { JSON_OUTPUT } from './support/settings.js';
import { table } from './support/table.js';
import { benchTempDir } from './support/tempdir.js';

const SETTINGS = roundSettingsFromEnv();

type Name = 'bare' | CeilingKind | 'fire';
const NAMES: readonly Name[] = ['bare', 'next turn', 'main thread', 'worker', 'fire'];

cleanupOnInterrupt();

async function main(): Promise<void> {
  const machine = describeMachine();
  log(machineNote(machine));
  const dir = benchTempDir('switchboard-ceiling-');
  const secret = randomBytes(24).toString('base64url');
  const notes: string[] = [];

  const targets = new Map<Name, Forked>();
  for (const name of NAMES) targets.set(name, await forkTarget(name, dir, secret));
  const results = await runRounds(targets, secret, SETTINGS);
  const { rows, summaryRows, summary } = roundTables(NAMES, results, 'bare');
  const best = Math.max(...summary.filter((s) => s.target === 'main thread' || s.target === 'worker').map((s) => s.ratioToBare));
  console.log(
    [
      machineHeader(machine),
      describeRounds(SETTINGS),
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
  reportProblems(results);
}

await runBench(main);
