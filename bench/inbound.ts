// Inbound throughput benchmark: the same load (autocannon, 50 connections, pipelining 1)
// against a bare node:http baseline, the fire path (durable request log + run row before
// the 202, then the action) and the exec path (Meraki validator GET), one after another.
//
//   npm run bench                      10 s per target after a 2 s warm-up
//   BENCH_SECONDS=5 node dist/bench/inbound.js --json
//
// Env: BENCH_SECONDS (default 10), BENCH_WARMUP_SECONDS (default 2), BENCH_WORKERS
// (1 = load generator in a worker thread, the default; 0 = on the main thread, sharing
// the server's event loop), BENCH_LOG_LEVEL (engine log level, default silent).
// Only ever talks to 127.0.0.1; everything it writes lives in one temp dir it deletes.
import Router from '@koa/router';
import autocannon from 'autocannon';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadDrivers, registryOf } from '../src/drivers/registry.js';
import { startEngine, type Engine } from '../src/engine.js';
import { createLogger } from '../src/logger.js';
import { fmt } from './support/format.js';
import { beforeClosers, cleanupOnInterrupt, closers, runBench } from './support/lifecycle.js';
import { HOST, listenLocally, type Listening } from './support/listen.js';
import { log } from './support/log.js';
import { describeMachine, machineHeader, machineNote } from './support/machine.js';
import { JSON_OUTPUT, LOG_LEVEL, positiveSetting } from './support/settings.js';
import { table } from './support/table.js';
import { benchTempDir } from './support/tempdir.js';

const CONNECTIONS = 50;
const PIPELINING = 1;
const SECONDS = positiveSetting('BENCH_SECONDS', 10, 'expected a positive number of seconds');
const WARMUP_SECONDS = positiveSetting('BENCH_WARMUP_SECONDS', 2, 'expected a positive number of seconds');
const WORKERS = process.env.BENCH_WORKERS === '0' ? 0 : 1;
const DRAIN_TIMEOUT_MS = 60_000;

// Aims: the fire path keeps at least half the bare server's throughput, with p99 under 10 ms.
const AIM_FIRE_RATIO = 0.5;
const AIM_FIRE_P99_MS = 10;

const FIRE_BODY = JSON.stringify({ event: 'motion', zone: 'lobby', sensor: 'pir-3', value: 1 });
const JSON_HEADERS = { 'content-type': 'application/json' };

interface Target {
  name: 'baseline' | 'koa floor' | 'fire' | 'exec';
  url: string;
  method: 'GET' | 'POST';
  body?: string;
  headers?: Record<string, string>;
  /** Checked on every response when given (counted as mismatches). */
  expectBody?: string;
}

interface Summary {
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
  /** Main-thread event loop utilisation during the run (0..1): near 1 means the server side is saturated. */
  loopBusy: number;
  /** Main-thread busy time per completed request, in µs (includes the load generator when BENCH_WORKERS=0). */
  busyUsPerRequest: number;
}

interface TargetResult {
  target: Target['name'];
  url: string;
  method: string;
  warmup: Summary;
  measured: Summary;
  /** Problems found after the run (runs not finished, rows missing, errors). */
  problems: string[];
  flagged: boolean;
  /** Facts checked after the run, e.g. runs recorded. */
  checks: Record<string, number | string | boolean>;
}

interface Skipped {
  target: Target['name'];
  reason: string;
}

// ---- lifecycle: one cleanup, run at the end, on error and on Ctrl-C ----

/** The autocannon run in progress, stopped first on cleanup. */
let current: autocannon.Instance | undefined;
beforeClosers(() => current?.stop());
cleanupOnInterrupt();

// ---- the load generator ----

function cannon(target: Target, seconds: number, title: string): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    current = autocannon(
      {
        url: target.url,
        method: target.method,
        body: target.body,
        headers: target.headers,
        expectBody: target.expectBody,
        connections: CONNECTIONS,
        pipelining: PIPELINING,
        duration: seconds,
        timeout: 10,
        title,
        ...(WORKERS > 0 ? { workers: WORKERS } : {}),
      },
      (error: unknown, result: autocannon.Result) => {
        current = undefined;
        if (error) reject(error instanceof Error ? error : new Error(String(error)));
        else resolve(result);
      },
    );
  });
}

function summarise(result: autocannon.Result, elu: { active: number; utilization: number }): Summary {
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
  };
}

function failuresOf(s: Summary, phase: string): string[] {
  const out: string[] = [];
  if (s.non2xx > 0) out.push(`${phase}: ${s.non2xx} non-2xx responses (${JSON.stringify(s.statusCodes)})`);
  if (s.errors > 0) out.push(`${phase}: ${s.errors} connection errors (${s.timeouts} timeouts)`);
  if (s.mismatches > 0) out.push(`${phase}: ${s.mismatches} responses with an unexpected body`);
  if (s.requests === 0) out.push(`${phase}: no requests completed`);
  return out;
}

async function measure(target: Target): Promise<{ warmup: Summary; measured: Summary }> {
  log(`${target.name}: warm-up ${WARMUP_SECONDS}s, then ${SECONDS}s at ${CONNECTIONS} connections`);
  const timed = async (seconds: number, title: string) => {
    const before = performance.eventLoopUtilization();
    const result = await cannon(target, seconds, title);
    return summarise(result, performance.eventLoopUtilization(before));
  };
  const warmup = await timed(WARMUP_SECONDS, `${target.name} (warm-up)`);
  const measured = await timed(SECONDS, target.name);
  return { warmup, measured };
}

// ---- the baseline: node:http, a constant-time secret check and a 202 ----

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * A reference, not an aim: the same Koa + @koa/router stack the engine uses, reading
 * the body and checking the secret but doing nothing else. It shows how much of the
 * gap between the bare server and the engine is the framework's.
 */
async function startKoaFloor(secret: string): Promise<Listening> {
  const expected = digest(secret);
  const app = new Koa();
  const router = new Router();
  const handler = async (ctx: Koa.Context) => {
    const given = ctx.query.secret;
    await getRawBody(ctx.req, { limit: 1024 * 1024 });
    const ok = typeof given === 'string' && timingSafeEqual(expected, digest(given));
    ctx.status = ok ? 202 : 404;
    ctx.body = ok ? { fired: true } : { error: 'not_found' };
  };
  for (const prefix of ['', '/api/engine/v2']) {
    for (const form of [
      '/webhook/:trigger/notify',
      '/webhook/:trigger/notify/:secret',
      '/webhook/:trigger/notify/:secret/:mod/:index/:method',
    ])
      router.all(prefix + form, handler);
  }
  app.use(router.routes());
  const server = createServer(app.callback());
  return listenLocally(server);
}

async function startBaseline(secret: string): Promise<Listening> {
  const expected = digest(secret);
  const accepted = JSON.stringify({ fired: true });
  const refused = JSON.stringify({ error: 'not_found' });
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const given = q >= 0 ? new URLSearchParams(url.slice(q + 1)).get('secret') : null;
    // Read the body like the engine does, then answer.
    req.on('end', () => {
      const ok = given !== null && timingSafeEqual(expected, digest(given));
      res.writeHead(ok ? 202 : 404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(ok ? accepted : refused);
    });
    req.resume();
  });
  return listenLocally(server);
}

// ---- the engine: a temp config dir and data dir, the shipped drivers ----

interface BenchSecrets {
  fire: string;
  exec: string;
  merakiValidator: string;
  merakiSecret: string;
}

function configYaml(s: BenchSecrets, withMeraki: boolean): string {
  const meraki = `
  - id: sys-bench-exec
    modules:
      - driver: meraki
        settings:
          validator: "${s.merakiValidator}"
          secret: "${s.merakiSecret}"`;
  const merakiTrigger = `
  - id: bench-exec
    methods: [GET, POST]`;
  const merakiInstance = `
  - id: trig-exec
    trigger: bench-exec
    system: sys-bench-exec
    exec: true
    secret: "${s.exec}"`;
  // The load generator is one client with many connections: the bench sets its own caps.
  return `server:
  host: ${HOST}
  port: 0
  durability: normal
  shutdown_timeout: 10s
  max_connections: 4096
  max_connections_per_address: 4096

systems:
  - id: sys-bench
    modules:
      - driver: display${withMeraki ? meraki : ''}

triggers:
  - id: bench-fire
    methods: [POST]
    actions:
      - call: Display_1.power
        args: { state: true }${withMeraki ? merakiTrigger : ''}

instances:
  - id: trig-bench
    trigger: bench-fire
    system: sys-bench
    secret: "${s.fire}"${withMeraki ? merakiInstance : ''}
`;
}

async function startBenchEngine(dir: string, secrets: BenchSecrets, notes: string[]): Promise<{ engine: Engine; exec: boolean }> {
  const shipped = await loadDrivers();
  // A driver folder that fails to load (one being written, say) would stop the engine;
  // the bench keeps the drivers that loaded and says which did not.
  for (const failure of shipped.failures) notes.push(`driver folder ${failure.folder} could not be loaded: ${failure.reason}`);
  const registry = registryOf(shipped.drivers);
  const log = createLogger({ level: LOG_LEVEL });

  const start = async (withMeraki: boolean, attempt: string): Promise<Engine> => {
    const configDir = join(dir, attempt, 'config');
    const dataDir = join(dir, attempt, 'data');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, 'bench.yaml'), configYaml(secrets, withMeraki));
    return startEngine({ configDir, dataDir, port: 0, host: HOST, registry, log, env: {} });
  };

  if (!registry.get('display')) throw new Error('the display driver is not available; the fire path needs it');
  if (registry.get('meraki')) {
    try {
      return { engine: await start(true, 'with-meraki'), exec: true };
    } catch (error) {
      notes.push(`engine with the meraki module did not start, exec path skipped: ${(error as Error).message}`);
    }
  } else {
    notes.push('the meraki driver is not available (drivers/meraki/driver.ts missing or failing), exec path skipped');
  }
  return { engine: await start(false, 'fire-only'), exec: false };
}

/** Waits until the runs fired during a target have finished, so the next target starts quiet. */
async function drain(engine: Engine): Promise<boolean> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (engine.executor.inFlight > 0) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

/** Row counts by status (runs) or by outcome (request log), for one instance. */
async function countBy(engine: Engine, table: 'runs' | 'request_log', instanceId: string): Promise<Record<string, number>> {
  const db = engine.store.database.db;
  const rows =
    table === 'runs'
      ? await db
          .selectFrom('runs')
          .select(['status as key', (eb) => eb.fn.countAll<number>().as('n')])
          .where('instance_id', '=', instanceId)
          .groupBy('status')
          .execute()
      : await db
          .selectFrom('request_log')
          .select(['outcome as key', (eb) => eb.fn.countAll<number>().as('n')])
          .where('instance_id', '=', instanceId)
          .groupBy('outcome')
          .execute();
  return Object.fromEntries(rows.map((r) => [String(r.key), Number(r.n)]));
}

// ---- output ----

/** autocannon's latency histogram counts whole milliseconds. */
function ms(n: number): string {
  return !Number.isFinite(n) ? '-' : n < 1 ? '<1' : n.toFixed(0);
}

// ---- main ----

async function main(): Promise<void> {
  const environment = {
    ...describeMachine(),
    connections: CONNECTIONS,
    pipelining: PIPELINING,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    loadGenerator: WORKERS > 0 ? `autocannon in ${WORKERS} worker thread` : 'autocannon on the main thread',
  };
  log(machineNote(environment));

  const dir = benchTempDir('switchboard-bench-');
  const secret = () => randomBytes(24).toString('base64url');
  const secrets: BenchSecrets = {
    fire: secret(),
    exec: secret(),
    merakiValidator: randomBytes(20).toString('hex'),
    merakiSecret: secret(),
  };
  const notes: string[] = [];
  const results: TargetResult[] = [];
  const skipped: Skipped[] = [];

  // 1. baseline
  const baseline = await startBaseline(secrets.fire);
  closers.push(() => baseline.close());
  {
    const target: Target = {
      name: 'baseline',
      url: `${baseline.url}/webhook/trig-bench/notify?secret=${secrets.fire}`,
      method: 'POST',
      body: FIRE_BODY,
      headers: JSON_HEADERS,
      expectBody: JSON.stringify({ fired: true }),
    };
    const { warmup, measured } = await measure(target);
    const problems = [...failuresOf(warmup, 'warm-up'), ...failuresOf(measured, 'measured')];
    results.push({
      target: target.name,
      url: redact(target.url),
      method: target.method,
      warmup,
      measured,
      problems,
      flagged: problems.length > 0,
      checks: {},
    });
  }
  await baseline.close();

  // Reference: the framework alone.
  const koaFloor = await startKoaFloor(secrets.fire);
  closers.push(() => koaFloor.close());
  {
    const target: Target = {
      name: 'koa floor',
      url: `${koaFloor.url}/webhook/trig-bench/notify?secret=${secrets.fire}`,
      method: 'POST',
      body: FIRE_BODY,
      headers: JSON_HEADERS,
      expectBody: JSON.stringify({ fired: true }),
    };
    const { warmup, measured } = await measure(target);
    const problems = [...failuresOf(warmup, 'warm-up'), ...failuresOf(measured, 'measured')];
    results.push({
      target: target.name,
      url: redact(target.url),
      method: target.method,
      warmup,
      measured,
      problems,
      flagged: problems.length > 0,
      checks: {},
    });
  }
  await koaFloor.close();

  // 2-3. the engine
  const { engine, exec } = await startBenchEngine(dir, secrets, notes);
  closers.push(() => engine.stop());
  log(`engine at ${engine.url}`);

  {
    const target: Target = {
      name: 'fire',
      url: `${engine.url}/webhook/trig-bench/notify?secret=${secrets.fire}`,
      method: 'POST',
      body: FIRE_BODY,
      headers: JSON_HEADERS,
    };
    const { warmup, measured } = await measure(target);
    const drainStarted = Date.now();
    const drained = await drain(engine);
    const drainMs = Date.now() - drainStarted;
    const problems = [...failuresOf(warmup, 'warm-up'), ...failuresOf(measured, 'measured')];
    if (!drained) problems.push(`runs still in flight after ${DRAIN_TIMEOUT_MS} ms`);
    // Every 202 the load generator counted was committed first, so there are at least that many runs.
    const runs = await countBy(engine, 'runs', 'trig-bench');
    const logged = await countBy(engine, 'request_log', 'trig-bench');
    const totalRuns = Object.values(runs).reduce((a, b) => a + b, 0);
    const accepted = warmup.ok2xx + measured.ok2xx;
    if (totalRuns < accepted) problems.push(`${accepted} responses were 202 but only ${totalRuns} runs are recorded`);
    if ((logged.fired ?? 0) < accepted)
      problems.push(`${accepted} responses were 202 but only ${logged.fired ?? 0} fired requests are logged`);
    const unfinished = totalRuns - (runs.succeeded ?? 0);
    if (unfinished > 0) problems.push(`${unfinished} runs did not succeed: ${JSON.stringify(runs)}`);
    const power = engine.modules.find('sys-bench', 'Display_1')?.currentState.power;
    if (power !== true) problems.push('Display_1.power was not set by the runs');
    results.push({
      target: target.name,
      url: redact(target.url),
      method: target.method,
      warmup,
      measured,
      problems,
      flagged: problems.length > 0,
      checks: {
        accepted202: accepted,
        runsRecorded: totalRuns,
        runsSucceeded: runs.succeeded ?? 0,
        requestsLogged: Object.values(logged).reduce((a, b) => a + b, 0),
        drainMs,
      },
    });
  }

  if (exec) {
    const target: Target = {
      name: 'exec',
      url: `${engine.url}/webhook/trig-exec/notify?secret=${secrets.exec}&exec=true&mod=Meraki&method=scanning`,
      method: 'GET',
      expectBody: secrets.merakiValidator,
    };
    const { warmup, measured } = await measure(target);
    const drained = await drain(engine);
    const problems = [...failuresOf(warmup, 'warm-up'), ...failuresOf(measured, 'measured')];
    if (!drained) problems.push(`runs still in flight after ${DRAIN_TIMEOUT_MS} ms`);
    const logged = await countBy(engine, 'request_log', 'trig-exec');
    const answered = warmup.ok2xx + measured.ok2xx;
    if ((logged.exec ?? 0) < answered)
      problems.push(`${answered} responses were 2xx but only ${logged.exec ?? 0} exec requests are logged`);
    results.push({
      target: target.name,
      url: redact(target.url),
      method: target.method,
      warmup,
      measured,
      problems,
      flagged: problems.length > 0,
      checks: { answered2xx: answered, requestsLogged: logged.exec ?? 0 },
    });
  } else {
    skipped.push({ target: 'exec', reason: notes.find((n) => n.includes('exec path skipped')) ?? 'meraki driver unavailable' });
  }

  await engine.stop();

  // ---- report ----
  const base = results.find((r) => r.target === 'baseline')!;
  const ratio = (r: TargetResult) => r.measured.reqPerSec / base.measured.reqPerSec;
  const fire = results.find((r) => r.target === 'fire');
  // A flagged run (errors, non-2xx, missing rows) cannot meet an aim, whatever its numbers.
  const valid = fire !== undefined && !fire.flagged && !base.flagged;
  const aims = fire
    ? {
        fireRatio: ratio(fire),
        fireRatioMet: valid && ratio(fire) >= AIM_FIRE_RATIO,
        fireP99Ms: fire.measured.p99Ms,
        fireP99Met: valid && fire.measured.p99Ms < AIM_FIRE_P99_MS,
        valid,
      }
    : undefined;

  const rows = [['target', 'req/s (mean)', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'x baseline', 'loop busy', 'µs/req', '']];
  for (const r of results) {
    rows.push([
      r.target,
      fmt(r.measured.reqPerSec, 0),
      ms(r.measured.p50Ms),
      ms(r.measured.p99Ms),
      String(r.measured.non2xx + r.warmup.non2xx),
      String(r.measured.errors + r.warmup.errors + r.measured.mismatches + r.warmup.mismatches),
      r === base ? '1.00' : fmt(ratio(r)),
      `${fmt(r.measured.loopBusy * 100, 0)}%`,
      fmt(r.measured.busyUsPerRequest, 0),
      r.flagged ? 'FLAGGED' : '',
    ]);
  }
  for (const s of skipped) rows.push([s.target, '-', '-', '-', '-', '-', '-', '-', '-', 'SKIPPED']);

  const out: string[] = [];
  out.push('');
  out.push(machineHeader(environment));
  out.push(
    `${CONNECTIONS} connections, pipelining ${PIPELINING}, ${SECONDS}s per target after a ${WARMUP_SECONDS}s warm-up; ${environment.loadGenerator}`,
  );
  out.push('');
  out.push(table(rows));
  out.push(
    '(latency has 1 ms resolution; non-2xx and errors include the warm-up; errors = connection errors + timeouts + unexpected bodies;',
  );
  out.push(' loop busy = main-thread event loop utilisation, µs/req = main-thread busy time per request)');
  out.push('');
  if (aims) {
    const invalid = aims.valid ? '' : ' (run flagged, not valid)';
    out.push(
      `aim: fire req/s >= ${AIM_FIRE_RATIO} x baseline: ${fmt(aims.fireRatio)} x -> ${aims.fireRatioMet ? 'met' : 'NOT met'}${invalid}`,
    );
    out.push(
      `aim: fire p99 < ${AIM_FIRE_P99_MS} ms at ${CONNECTIONS} connections: ${ms(aims.fireP99Ms)} ms -> ${aims.fireP99Met ? 'met' : 'NOT met'}${invalid}`,
    );
  }
  for (const r of results) for (const p of r.problems) out.push(`FLAGGED ${r.target}: ${p}`);
  for (const r of results) if (Object.keys(r.checks).length > 0) out.push(`${r.target} checks: ${JSON.stringify(r.checks)}`);
  for (const s of skipped) out.push(`SKIPPED ${s.target}: ${s.reason}`);
  for (const n of notes) if (!skipped.some((s) => s.reason === n)) out.push(`note: ${n}`);
  console.log(out.join('\n'));

  const flagged = results.some((r) => r.flagged);
  if (JSON_OUTPUT) {
    console.log(
      JSON.stringify(
        {
          environment,
          results,
          skipped,
          ratios: Object.fromEntries(results.map((r) => [r.target, ratio(r)])),
          aims,
          flagged,
          notes,
        },
        null,
        2,
      ),
    );
  }
  if (flagged) process.exitCode = 1;
}

/** The URL as printed: the secret is generated per run, but still not shown. */
function redact(url: string): string {
  return url.replace(/secret=[^&]*/, 'secret=…');
}

await runBench(main);
