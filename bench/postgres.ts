// The fire path on PostgreSQL, beside SQLite and a bare node:http server in the same run:
// what a fire costs on each backend (CPU in the engine's process, and on PostgreSQL in the
// server's processes too), and where PostgreSQL's ceiling is: Koa with the engine's routes
// committing exactly a fire's writes through the engine's own group commit and writer.
//
//   npm run bench:postgres                     3 rounds of 10 s per target, about 3 minutes
//   BENCH_POSTGRES=postgres://user@host/db     the server (default: this machine's, database test)
//
// Targets (each in a child process of its own, 50 connections, the same POST):
//   bare               node:http: read the body, compare the secret, 202
//   sqlite writes      Koa + routes, committing a fire's writes with the SQLite writer
//   postgres writes    the same with the PostgreSQL writer and the engine's group commit
//   fire               the engine on SQLite, its whole fire path
//   fire on postgres   the engine on PostgreSQL
// Each PostgreSQL target gets a schema of its own, dropped at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { printableUrl } from '../src/store/pg-database.js';
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
import { benchSchema, costRows, postgresTicks } from './support/postgres-server.js';
import { JSON_OUTPUT } from './support/settings.js';
import { table } from './support/table.js';
import { benchTempDir } from './support/tempdir.js';

const SETTINGS = roundSettingsFromEnv();
const SERVER = process.env.BENCH_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

type Name = 'bare' | 'sqlite writes' | 'postgres writes' | 'fire' | 'fire on postgres';
const NAMES: readonly Name[] = ['bare', 'sqlite writes', 'postgres writes', 'fire', 'fire on postgres'];
/** The ceiling prototype each is: the main-thread SQLite writer is the ceiling bench's `main thread`. */
const KIND: Record<Name, string> = {
  bare: 'bare',
  'sqlite writes': 'main thread',
  'postgres writes': 'postgres writes',
  fire: 'fire',
  'fire on postgres': 'fire on postgres',
};
const ON_POSTGRES: ReadonlySet<Name> = new Set(['postgres writes', 'fire on postgres']);

cleanupOnInterrupt();

async function main(): Promise<void> {
  const machine = describeMachine();
  log(machineNote(machine));
  const dir = benchTempDir('switchboard-postgres-');
  const secret = randomBytes(24).toString('base64url');
  const { rows: version } = await (async () => {
    const client = new pg.Client({ connectionString: SERVER });
    await client.connect();
    try {
      return await client.query<{ v: string; sync: string }>(
        `select version() as v, current_setting('synchronous_commit') as sync`,
      );
    } finally {
      await client.end();
    }
  })();

  const targets = new Map<Name, Forked>();
  for (const name of NAMES) {
    const env = ON_POSTGRES.has(name) ? { CEILING_POSTGRES: await benchSchema(SERVER, name) } : {};
    targets.set(name, await forkTarget(KIND[name], dir, secret, env));
  }
  const results = await runRounds(targets, secret, {
    ...SETTINGS,
    serverTicks: postgresTicks,
  });
  const { rows, summaryRows, summary } = roundTables(NAMES, results, 'bare');
  const cost = costRows(NAMES, results, summary, (name) => ON_POSTGRES.has(name));
  const ratioOf = (name: Name) => summary.find((s) => s.target === name)!.ratioToBare;
  console.log(
    [
      machineHeader(machine),
      `PostgreSQL: ${version[0]!.v.split(' on ')[0]}, synchronous_commit ${version[0]!.sync}, at ${printableUrl(SERVER)}`,
      describeRounds(SETTINGS),
      '',
      table(rows),
      '',
      table(summaryRows),
      '',
      'what a fire costs (median CPU µs per request; PostgreSQL: its server processes, the runs’ ends included):',
      table([['target', 'engine process', 'postgres server', 'total'], ...cost]),
      '',
      `fire on SQLite ${fmt(ratioOf('fire'))} x bare, on PostgreSQL ${fmt(ratioOf('fire on postgres'))} x bare; ` +
        `the stack committing only a fire's writes reaches ${fmt(ratioOf('sqlite writes'))} x bare on SQLite and ${fmt(ratioOf('postgres writes'))} x bare on PostgreSQL`,
    ].join('\n'),
  );
  if (JSON_OUTPUT) console.log(JSON.stringify({ machine, results, summary }, null, 2));
  reportProblems(results);
}

await runBench(main);
