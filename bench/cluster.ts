// The fire path with one and with three engine nodes on one PostgreSQL, beside the engine
// on SQLite and a bare node:http server in the same run, and what the cluster's check on a
// fire costs: the debounce guard, one more statement inside the fire's transaction.
//
//   npm run bench:cluster                      3 rounds of 10 s per target, about 4 minutes
//   BENCH_POSTGRES=postgres://user@host/db     the server (default: this machine's, database test)
//
// Targets (each engine in a child process of its own, 50 connections in all, the same POST):
//   bare                  node:http: read the body, compare the secret, 202
//   fire                  the engine on SQLite
//   fire, 1 node on pg    the engine on PostgreSQL
//   fire, 3 nodes on pg   three engines on one PostgreSQL schema, 17 connections each, loaded
//                         at once; Display_1 runs on one of them, so two fires in three
//                         forward their action's call to it over HTTP
//   no call, 1 node on pg / no call, 3 nodes on pg
//                         the same with a trigger that has no action: what the nodes cost
//                         apart from forwarding
// Then the guard alone: sequential commits of a fire's request row through the engine's
// PostgreSQL writer, with and without a debounce guard, interleaved, wall time and CPU
// (this process and the server's) per commit.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { openPostgresStore } from '../src/store/pg-store.js';
import { postgresPool, printableUrl } from '../src/store/pg-database.js';
import { PostgresWriter } from '../src/store/pg-writer.js';
import type { StoreWrite } from '../src/store/writes.js';
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
import { cleanupOnInterrupt, closers, runBench } from './support/lifecycle.js';
import { log } from './support/log.js';
import { describeMachine, machineHeader, machineNote } from './support/machine.js';
import { benchSchema, costRows, postgresTicks } from './support/postgres-server.js';
import { integerSetting, JSON_OUTPUT } from './support/settings.js';
import { table } from './support/table.js';
import { benchTempDir } from './support/tempdir.js';

const SETTINGS = roundSettingsFromEnv();
const SERVER = process.env.BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';
const GUARD_COMMITS = integerSetting('BENCH_GUARD_COMMITS', 2_000, 100);

type Name = 'bare' | 'fire' | 'fire, 1 node on pg' | 'fire, 3 nodes on pg' | 'no call, 1 node on pg' | 'no call, 3 nodes on pg';
const NAMES: readonly Name[] = [
  'bare',
  'fire',
  'fire, 1 node on pg',
  'fire, 3 nodes on pg',
  'no call, 1 node on pg',
  'no call, 3 nodes on pg',
];

/** Wall µs and CPU µs (this process, the server) per sequential commit, with and without a debounce guard. */
async function guardCost(): Promise<{ guarded: boolean; wallUs: number; cpuUs: number; serverUs: number }[]> {
  const url = await benchSchema(SERVER, 'guard');
  await (await openPostgresStore(url)).close(); // migrated
  const writer = new PostgresWriter(postgresPool(url, { max: 1 }));
  closers.push(() => writer.close());
  let n = 0;
  const unit = (guarded: boolean): StoreWrite[] => {
    const id = `req_${++n}`;
    const row = {
      id,
      instance_id: 'trig-bench',
      received_at: n,
      method: 'POST',
      path: '/webhook/trig-bench/notify',
      headers: '{}',
      body: null,
      body_size: 0,
      body_truncated: 0,
      status: 202,
      outcome: 'fired',
      run_id: null,
      latency_ms: 0,
      reason: null,
      client_ip: null,
    };
    const writes: StoreWrite[] = [
      { kind: 'request', row },
      { kind: 'fire_counted', instanceId: 'trig-bench', at: n },
    ];
    // Period 0: every request passes, so both sides write the same rows.
    if (guarded)
      writes.unshift({
        kind: 'guard',
        guards: [{ kind: 'debounce', key: 'trig-bench', periodMs: 0, mode: 'hold', at: n }],
        otherwise: () => [],
      });
    return writes;
  };
  const results: { guarded: boolean; wallUs: number; cpuUs: number; serverUs: number }[] = [];
  for (let round = 0; round < 4; round++)
    for (const guarded of [false, true]) {
      const cpu = process.cpuUsage();
      const server = postgresTicks();
      const started = performance.now();
      for (let i = 0; i < GUARD_COMMITS; i++) await writer.applyAll([unit(guarded)]);
      const wallUs = ((performance.now() - started) * 1000) / GUARD_COMMITS;
      const used = process.cpuUsage(cpu);
      results.push({
        guarded,
        wallUs,
        cpuUs: (used.user + used.system) / GUARD_COMMITS,
        serverUs: ((postgresTicks() - server) * 10_000) / GUARD_COMMITS,
      });
    }
  return results;
}

/** Three nodes on one schema, started one after another: the first takes the module's lease, as a cluster's first node does. */
async function cluster(dir: string, secret: string, label: string, env: NodeJS.ProcessEnv): Promise<Forked[]> {
  const shared = await benchSchema(SERVER, label);
  const nodes: Forked[] = [];
  for (let i = 0; i < 3; i++)
    nodes.push(
      await forkTarget('fire on postgres', dir, secret, { ...env, CEILING_POSTGRES: shared, CEILING_NODE: `${label}-${i + 1}` }),
    );
  return nodes;
}

cleanupOnInterrupt();

async function main(): Promise<void> {
  const machine = describeMachine();
  log(machineNote(machine));
  const dir = benchTempDir('switchboard-cluster-');
  const secret = randomBytes(24).toString('base64url');
  const targets = new Map<Name, Forked | Forked[]>();
  targets.set('bare', await forkTarget('bare', dir, secret));
  targets.set('fire', await forkTarget('fire', dir, secret));
  targets.set(
    'fire, 1 node on pg',
    await forkTarget('fire on postgres', dir, secret, { CEILING_POSTGRES: await benchSchema(SERVER, 'one') }),
  );
  targets.set('fire, 3 nodes on pg', await cluster(dir, secret, 'three', {}));
  const noCall = { CEILING_NO_MODULE_CALL: '1' };
  targets.set(
    'no call, 1 node on pg',
    await forkTarget('fire on postgres', dir, secret, {
      ...noCall,
      CEILING_POSTGRES: await benchSchema(SERVER, 'one_nocall'),
      CEILING_NODE: 'nocall',
    }),
  );
  targets.set('no call, 3 nodes on pg', await cluster(dir, secret, 'three_nocall', noCall));

  const results = await runRounds(targets, secret, { ...SETTINGS, serverTicks: postgresTicks });
  const { rows, summaryRows, summary } = roundTables(NAMES, results, 'bare');
  const cost = costRows(NAMES, results, summary, (name) => name.endsWith('on pg'));
  const guard = await guardCost();
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const side = (guarded: boolean) => {
    const of = guard.filter((g) => g.guarded === guarded);
    return {
      wall: median(of.map((g) => g.wallUs)),
      cpu: median(of.map((g) => g.cpuUs)),
      server: median(of.map((g) => g.serverUs)),
    };
  };
  const plain = side(false);
  const guarded = side(true);
  const ratio = (name: Name) => summary.find((s) => s.target === name)!;
  console.log(
    [
      machineHeader(machine),
      `PostgreSQL at ${printableUrl(SERVER)}`,
      describeRounds(SETTINGS),
      '',
      table(rows),
      '',
      table(summaryRows),
      '',
      'what a fire costs (median CPU µs per request; PostgreSQL: its server processes too):',
      table([['target', 'engine processes', 'postgres server', 'total'], ...cost]),
      '',
      `the debounce guard alone (${GUARD_COMMITS} sequential commits per side, 4 interleaved rounds, medians):`,
      table([
        ['commit', 'wall µs', 'cpu µs (writer)', 'cpu µs (server)'],
        ['request row', fmt(plain.wall, 0), fmt(plain.cpu, 0), fmt(plain.server, 0)],
        ['request row + guard', fmt(guarded.wall, 0), fmt(guarded.cpu, 0), fmt(guarded.server, 0)],
        ['the guard', fmt(guarded.wall - plain.wall, 0), fmt(guarded.cpu - plain.cpu, 0), fmt(guarded.server - plain.server, 0)],
      ]),
      '',
      `fire on SQLite ${fmt(ratio('fire').ratioToBare)} x bare (${fmt(ratio('fire').reqPerSec, 0)} req/s); ` +
        `on PostgreSQL, 1 node ${fmt(ratio('fire, 1 node on pg').ratioToBare)} x bare (${fmt(ratio('fire, 1 node on pg').reqPerSec, 0)} req/s), ` +
        `3 nodes ${fmt(ratio('fire, 3 nodes on pg').ratioToBare)} x bare (${fmt(ratio('fire, 3 nodes on pg').reqPerSec, 0)} req/s)`,
    ].join('\n'),
  );
  if (JSON_OUTPUT) console.log(JSON.stringify({ machine, results, summary, guard }, null, 2));
  reportProblems(results);
}

await runBench(main);
