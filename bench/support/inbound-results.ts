// What the inbound bench measured, in the shapes its report and its JSON share: each target's
// result per round, the 1,000-connection round, the stored bytes per fire, and the medians
// across rounds (the summary is built from the rounds, never from one lucky run).
import type { Summary } from './load.js';
import { median } from './percentile.js';
import type { StoredBytes } from './stored-bytes.js';

export type TargetName = 'bare' | 'koa floor' | 'fire' | 'exec' | 'node-red';

/** The order every round runs its targets in. */
export const TARGET_ORDER: readonly TargetName[] = ['bare', 'koa floor', 'fire', 'exec', 'node-red'];

export interface TargetResult {
  target: TargetName;
  connections: number;
  /** The 1-minute load average as the target's warm-up started. */
  loadavg1m: number;
  url: string;
  method: string;
  warmup: Summary;
  measured: Summary;
  /** Problems found during or after the run (errors, non-2xx, rows missing, runs not finished). */
  problems: string[];
  flagged: boolean;
  /** Facts checked after the run, e.g. runs recorded. */
  checks: Record<string, number | string | boolean>;
}

export interface Round {
  round: number;
  /** The 1-minute load average as the round started. */
  loadavg1m: number;
  results: TargetResult[];
}

export interface HighConnections {
  connections: number;
  /** ulimit -n of this process (null: unknown), and about how many the round needs. */
  openFilesLimit: number | null;
  descriptorsNeeded: number;
  /** Absent when the round was skipped (see `skipped`). */
  result?: TargetResult;
  /** The bare node:http server at as many connections, just before, and its req/s over its best 50-connection round. */
  bare?: TargetResult;
  bareRatioToPeak?: number;
  /** The bare server left requests waiting seconds too, so the fire path's timeouts did not flag it. */
  timeoutsExcused?: boolean;
  skipped?: string;
  /** The highest fire req/s of the 50-connection rounds, and which round it was. */
  peakFireReqPerSec: number;
  peakRound: number;
  ratioToPeak: number;
  /** Handshakes the kernel dropped because the accept queue was full, during the round (warm-up included; machine-wide; null: unknown). */
  listenOverflows: number | null;
}

export interface StoredBytesPhase {
  requests: number;
  bodyBytes: number;
  accepted202: number;
  runsRecorded: number;
  runsSucceeded: number;
  requestsLogged: number;
  reqPerSec: number;
  /** CPU other processes took while the fires ran, in cores. */
  othersCpu: number;
  /** dbstat of the fresh database before the fires (schema, secrets, counters). */
  freshBytes: number;
  /** dbstat after every run finished and the engine stopped. */
  stored?: StoredBytes;
  /** stored.total / requests: the figure the aim is checked on. */
  bytesPerFire: number;
  /** (stored.total - freshBytes) / requests. */
  growthPerFire: number;
  /** Sizes on disk once the runs finished (engine running), and after the engine stopped. */
  running: { fileBytes: number; walBytes: number };
  stopped: { fileBytes: number; walBytes: number };
  problems: string[];
  flagged: boolean;
  /** Why the bytes could not be read (dbstat missing, say), when they could not. */
  unavailable?: string;
}

export interface TargetSummary {
  target: TargetName;
  rounds: number;
  reqPerSec: { median: number; min: number; max: number };
  p50Ms: number;
  p99Ms: number;
  /** Median over rounds of the target's req/s divided by bare's in the same round. */
  xBare: number;
  /** The same against Node-RED (NaN without it). */
  xNodeRed: number;
  flaggedRounds: number;
}

/** A target's result in one round, if it ran. */
export function resultOf(round: Round, target: TargetName): TargetResult | undefined {
  return round.results.find((r) => r.target === target);
}

/** For each round where both ran, `f(a, b)`: same-round comparisons, so drift between rounds cancels. */
export function perRound(
  rounds: readonly Round[],
  a: TargetName,
  b: TargetName,
  f: (a: TargetResult, b: TargetResult) => number,
): number[] {
  const out: number[] = [];
  for (const round of rounds) {
    const x = resultOf(round, a);
    const y = resultOf(round, b);
    if (x && y) out.push(f(x, y));
  }
  return out;
}

export const reqRatio = (a: TargetResult, b: TargetResult) => a.measured.reqPerSec / b.measured.reqPerSec;

/** Medians across rounds for every target that ran at least once. */
export function summarise(rounds: readonly Round[]): TargetSummary[] {
  const out: TargetSummary[] = [];
  for (const target of TARGET_ORDER) {
    const results = rounds.map((r) => resultOf(r, target)).filter((r) => r !== undefined);
    if (results.length === 0) continue;
    const rates = results.map((r) => r.measured.reqPerSec);
    out.push({
      target,
      rounds: results.length,
      reqPerSec: { median: median(rates), min: Math.min(...rates), max: Math.max(...rates) },
      p50Ms: median(results.map((r) => r.measured.p50Ms)),
      p99Ms: median(results.map((r) => r.measured.p99Ms)),
      xBare: median(perRound(rounds, target, 'bare', reqRatio)),
      xNodeRed: median(perRound(rounds, target, 'node-red', reqRatio)),
      flaggedRounds: results.filter((r) => r.flagged).length,
    });
  }
  return out;
}
