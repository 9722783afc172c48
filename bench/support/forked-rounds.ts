// Interleaved rounds over targets that each run in a child process of their own (the
// ceiling and PostgreSQL benches): every round loads each target in turn with the same
// fire, then waits until it has nothing in flight. Per run: req/s, latency, the ratio to
// the bare server of the same round, and the CPU time of the target's process (all its
// threads) per request. A target may be several processes (the nodes of a cluster): the
// connections are shared out among them, loaded at once, and their figures added up.
import { fmt } from './format.js';
import { forkServer } from './forked-server.js';
import { failuresOf, measure, type Summary, type Target } from './load.js';
import { log } from './log.js';
import { loadNow } from './machine.js';
import { FIRE_PATH } from './node-red.js';
import { processTicks } from './other-cpu.js';
import { integerSetting, positiveSetting } from './settings.js';

export const CONNECTIONS = 50;
export const FIRE_BODY = JSON.stringify({ event: 'motion', zone: 'lobby', sensor: 'pir-3', value: 1 });

export interface RoundResult<Name extends string> {
  round: number;
  target: Name;
  loadavg1m: number;
  measured: Summary;
  /** CPU time of the target's process (all its threads) per request. */
  cpuUsPerRequest: number;
  /** CPU time of the processes `serverTicks` counts (the database server's) per request, when it is given. */
  serverCpuUsPerRequest?: number;
  problems: string[];
}

/** A target running in a child process of its own. */
export interface Forked {
  url: string;
  pid: number;
  /** Resolves once the target has nothing in flight (the engine's runs finished). */
  drained(): Promise<void>;
}

/** Forks support/ceiling-target.js as `kind`, with `env` added to the bench's own. */
export async function forkTarget(kind: string, dir: string, secret: string, env: NodeJS.ProcessEnv = {}): Promise<Forked> {
  const { child, hello } = await forkServer<{ url: string }>(new URL('./ceiling-target.js', import.meta.url), [kind, dir], {
    ...process.env,
    ...env,
    CEILING_SECRET: secret,
  });
  log(`${kind} at ${hello.url} (pid ${child.pid})`);
  return {
    url: hello.url,
    pid: child.pid!,
    drained: () =>
      new Promise<void>((resolve) => {
        child.once('message', () => resolve());
        child.send({ drain: true });
      }),
  };
}

export interface RoundSettings {
  rounds: number;
  seconds: number;
  warmupSeconds: number;
  workers: number;
  /** CPU ticks of processes outside the target that work for it (PostgreSQL's), read around each run. */
  serverTicks?: () => number;
}

/** The rounds as the environment asks (BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_WORKERS). */
export function roundSettingsFromEnv(): Omit<RoundSettings, 'serverTicks'> {
  return {
    rounds: integerSetting('BENCH_ROUNDS', 3, 1),
    seconds: positiveSetting('BENCH_SECONDS', 10, 'expected a positive number of seconds'),
    warmupSeconds: positiveSetting('BENCH_WARMUP_SECONDS', 2, 'expected a positive number of seconds'),
    workers: process.env.BENCH_WORKERS === '0' ? 0 : 1,
  };
}

/** `50 connections, 3 interleaved rounds of 10s per target after a 2s warm-up; autocannon in 1 worker thread` */
export function describeRounds(settings: Omit<RoundSettings, 'serverTicks'>): string {
  const { rounds, seconds, warmupSeconds, workers } = settings;
  return `${CONNECTIONS} connections, ${rounds} interleaved rounds of ${seconds}s per target after a ${warmupSeconds}s warm-up; autocannon in ${workers} worker thread`;
}

/** One run's figures over the processes of a target loaded at once: counts and rates added, latencies the worst. */
function combined(parts: readonly Summary[]): Summary {
  if (parts.length === 1) return parts[0]!;
  const sum = (pick: (s: Summary) => number) => parts.reduce((total, s) => total + pick(s), 0);
  const worst = (pick: (s: Summary) => number) => Math.max(...parts.map(pick));
  const statusCodes: Record<string, number> = {};
  for (const s of parts) for (const [code, n] of Object.entries(s.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  const requests = sum((s) => s.requests);
  return {
    seconds: worst((s) => s.seconds),
    requests,
    reqPerSec: sum((s) => s.reqPerSec),
    latencyMeanMs: sum((s) => s.latencyMeanMs * s.requests) / Math.max(1, requests),
    p50Ms: worst((s) => s.p50Ms),
    p99Ms: worst((s) => s.p99Ms),
    maxMs: worst((s) => s.maxMs),
    ok2xx: sum((s) => s.ok2xx),
    non2xx: sum((s) => s.non2xx),
    errors: sum((s) => s.errors),
    timeouts: sum((s) => s.timeouts),
    mismatches: sum((s) => s.mismatches),
    statusCodes,
    loopBusy: worst((s) => s.loopBusy),
    busyUsPerRequest: sum((s) => s.busyUsPerRequest * s.requests) / Math.max(1, requests),
    othersCpu: worst((s) => s.othersCpu),
  };
}

export async function runRounds<Name extends string>(
  targets: ReadonlyMap<Name, Forked | readonly Forked[]>,
  secret: string,
  settings: RoundSettings,
): Promise<RoundResult<Name>[]> {
  const results: RoundResult<Name>[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    log(`round ${round}/${settings.rounds}`);
    for (const [name, target] of targets) {
      const group: readonly Forked[] = Array.isArray(target) ? target : [target as Forked];
      const ticks = () => group.reduce((total, f) => total + processTicks(f.pid), 0);
      const loadavg1m = loadNow();
      const cpuBefore = ticks();
      const serverBefore = settings.serverTicks?.();
      const runs = await Promise.all(
        group.map((forked, i) =>
          measure(
            {
              name: group.length > 1 ? `${name} #${i + 1}` : name,
              url: `${forked.url}${FIRE_PATH}?secret=${secret}`,
              method: 'POST',
              body: FIRE_BODY,
              headers: { 'content-type': 'application/json' },
            } satisfies Target,
            { connections: Math.round(CONNECTIONS / group.length), workers: settings.workers, pipelining: 1 },
            settings.warmupSeconds,
            settings.seconds,
          ),
        ),
      );
      const warmup = combined(runs.map((r) => r.warmup));
      const measured = combined(runs.map((r) => r.measured));
      const cpuMs = (ticks() - cpuBefore) * 10;
      await Promise.all(group.map((f) => f.drained()));
      // The server's share includes the runs' ends committed while draining.
      const serverMs = serverBefore === undefined ? undefined : (settings.serverTicks!() - serverBefore) * 10;
      const problems = [...failuresOf(warmup, 'warm-up'), ...failuresOf(measured, 'measured')];
      log(`  ${name}: ${fmt(measured.reqPerSec, 0)} req/s${problems.length ? ' FLAGGED' : ''}`);
      const requests = warmup.requests + measured.requests;
      const cpuUsPerRequest = (cpuMs * 1000) / requests;
      const serverCpuUsPerRequest = serverMs === undefined ? undefined : (serverMs * 1000) / requests;
      results.push({ round, target: name, loadavg1m, measured, cpuUsPerRequest, serverCpuUsPerRequest, problems });
    }
  }
  return results;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

export interface TargetSummary<Name extends string> {
  target: Name;
  reqPerSec: number;
  ratioToBare: number;
  cpuUsPerRequest: number;
}

/** Each run as a row, and each target's medians (its ratio to bare taken within each round). */
export function roundTables<Name extends string>(
  names: readonly Name[],
  results: readonly RoundResult<Name>[],
  bare: Name,
): { rows: string[][]; summaryRows: string[][]; summary: TargetSummary<Name>[] } {
  const ratio = (r: RoundResult<Name>) =>
    r.measured.reqPerSec / results.find((b) => b.round === r.round && b.target === bare)!.measured.reqPerSec;
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
  const summary = names.map((name) => {
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
  return { rows, summaryRows, summary };
}

/** Reports every problem a run met and sets a failing exit code. */
export function reportProblems(results: readonly RoundResult<string>[]): void {
  if (!results.some((r) => r.problems.length > 0)) return;
  for (const r of results) for (const p of r.problems) console.error(`round ${r.round} ${r.target}: ${p}`);
  process.exitCode = 1;
}
