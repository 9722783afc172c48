// The inbound bench's load generator: autocannon (programmatic API) against one target,
// summarised the same way for every target so their numbers can be compared, with the
// run in progress stopped first on cleanup so Ctrl-C never leaves a load running.
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { beforeClosers } from './lifecycle.js';
import { log } from './log.js';
import { otherCpu } from './other-cpu.js';

/** One server to load: the same request every time. */
export interface Target {
  name: string;
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  /** Checked on every response when given (counted as mismatches). */
  expectBody?: string;
  /** Each `[<id>]` in the body becomes a fresh id per request. */
  idReplacement?: boolean;
}

export interface Load {
  connections: number;
  /** 1: autocannon in a worker thread, so the main thread is the server alone; 0: on the main thread. */
  workers: number;
  pipelining: number;
}

export interface Summary {
  seconds: number;
  requests: number;
  reqPerSec: number;
  latencyMeanMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  mismatches: number;
  statusCodes: Record<string, number>;
  /** Main-thread event loop utilisation during the run (0..1): near 1 means a server in this process is saturated. */
  loopBusy: number;
  /** Main-thread busy time per completed request, in µs (includes the load generator when workers is 0). */
  busyUsPerRequest: number;
  /** CPU other processes (and the hypervisor) took during the run, in cores; NaN off Linux. */
  othersCpu: number;
}

/** The autocannon run in progress, stopped first on cleanup. */
let current: autocannon.Instance | undefined;
beforeClosers(() => current?.stop());

/** Runs autocannon for `seconds`, or for exactly `amount` requests when given. */
function cannon(
  target: Target,
  load: Load,
  title: string,
  run: { seconds: number } | { amount: number },
): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    current = autocannon(
      {
        url: target.url,
        method: target.method,
        body: target.body,
        headers: target.headers,
        expectBody: target.expectBody,
        idReplacement: target.idReplacement,
        connections: load.connections,
        pipelining: load.pipelining,
        ...('amount' in run ? { amount: run.amount } : { duration: run.seconds }),
        timeout: 10,
        title,
        ...(load.workers > 0 ? { workers: load.workers } : {}),
      },
      (error: unknown, result: autocannon.Result) => {
        current = undefined;
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(result);
      },
    );
  });
}

function summarise(result: autocannon.Result, elu: { active: number; utilization: number }, othersCpu: number): Summary {
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stat.count ?? 0;
  return {
    seconds: result.duration,
    requests: result.requests.total,
    reqPerSec: result.requests.mean,
    latencyMeanMs: result.latency.mean,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    mismatches: result.mismatches,
    statusCodes,
    loopBusy: elu.utilization,
    busyUsPerRequest: result.requests.total > 0 ? (elu.active * 1000) / result.requests.total : NaN,
    othersCpu,
  };
}

/** One autocannon run, with the main thread's event-loop utilisation over it. */
export async function timedRun(
  target: Target,
  load: Load,
  title: string,
  run: { seconds: number } | { amount: number },
): Promise<Summary> {
  const before = performance.eventLoopUtilization();
  const others = otherCpu();
  const result = await cannon(target, load, title, run);
  return summarise(result, performance.eventLoopUtilization(before), others());
}

/** An uncounted warm-up (connections opened, code paths compiled), then the measured run. */
export async function measure(
  target: Target,
  load: Load,
  warmupSeconds: number,
  seconds: number,
): Promise<{ warmup: Summary; measured: Summary }> {
  log(`${target.name}: warm-up ${warmupSeconds}s, then ${seconds}s at ${load.connections} connections`);
  const warmup = await timedRun(target, load, `${target.name} (warm-up)`, { seconds: warmupSeconds });
  const measured = await timedRun(target, load, target.name, { seconds });
  return { warmup, measured };
}

/**
 * What makes a run not count: non-2xx, connection errors, unexpected bodies, nothing
 * completed. With `timeoutsExcused`, timeouts alone do not (node:http itself left requests
 * waiting that long in the same run: see bench/README.md, "Stragglers").
 */
export function failuresOf(s: Summary, phase: string, { timeoutsExcused = false } = {}): string[] {
  const out: string[] = [];
  if (s.non2xx > 0) out.push(`${phase}: ${s.non2xx} non-2xx responses (${JSON.stringify(s.statusCodes)})`);
  const errors = timeoutsExcused ? s.errors - s.timeouts : s.errors;
  if (errors > 0) out.push(`${phase}: ${s.errors} connection errors (${s.timeouts} timeouts)`);
  if (s.mismatches > 0) out.push(`${phase}: ${s.mismatches} responses with an unexpected body`);
  if (s.requests === 0) out.push(`${phase}: no requests completed`);
  return out;
}
