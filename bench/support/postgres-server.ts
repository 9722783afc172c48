// What the PostgreSQL benches (postgres.ts, cluster.ts) share: the server's CPU time, a
// schema per target dropped at the end, and the table of what a fire costs in the engine's
// processes and in the server's.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { quoteIdentifier, withSearchPath } from '../../src/store/pg-database.js';
import { fmt } from './format.js';
import type { RoundResult, TargetSummary } from './forked-rounds.js';
import { closers } from './lifecycle.js';
import { processTicks } from './other-cpu.js';

/** CPU ticks of every PostgreSQL server process on this machine (the backends serving the targets among them). */
export function postgresTicks(): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') ticks += processTicks(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return ticks;
}

/** A new schema on `server` named after `label`, dropped when the bench ends; resolves to the URL that uses it. */
export async function benchSchema(server: string, label: string): Promise<string> {
  const schema = `bench_${label.replaceAll(' ', '_')}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`create schema ${quoteIdentifier(schema)}`);
  await admin.end();
  closers.push(async () => {
    const dropper = new pg.Client({ connectionString: server });
    await dropper.connect();
    await dropper.query(`drop schema if exists ${quoteIdentifier(schema)} cascade`);
    await dropper.end();
  });
  return withSearchPath(server, schema);
}

/** A fire's median CPU µs per target: in the engine's processes, and in the server's for the targets on PostgreSQL. */
export function costRows<Name extends string>(
  names: readonly Name[],
  results: readonly RoundResult<Name>[],
  summary: readonly TargetSummary<Name>[],
  onPostgres: (name: Name) => boolean,
): string[][] {
  const serverCost = (name: Name) => {
    const values = results.filter((r) => r.target === name).map((r) => r.serverCpuUsPerRequest ?? 0);
    return values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  };
  return names.map((name) => {
    const s = summary.find((x) => x.target === name)!;
    const server = onPostgres(name) ? serverCost(name) : 0;
    return [name, fmt(s.cpuUsPerRequest, 0), onPostgres(name) ? fmt(server, 0) : '—', fmt(s.cpuUsPerRequest + server, 0)];
  });
}
