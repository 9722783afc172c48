// Inbound throughput benchmark: is the engine's fire path fast enough next to what this
// machine can do at all, and next to Node-RED? Every yardstick runs in the same run as the
// engine, interleaved round by round, because a figure from another day or another machine
// cannot be compared with one from now (never a timed test: the figures are reported, and
// the exit code only says whether they are valid).
//
// Each round loads, one after another, with the same request (autocannon, 50 connections,
// pipelining 1, 127.0.0.1): a bare node:http server (the ceiling), Koa with the engine's
// routes and no work (a reference), the engine's fire path (durable request log + run row
// before the 202, then the action), its exec path (Meraki validator GET) and Node-RED (an
// http in → function → http response flow, installed into bench/.work/node-red once). Then
// the fire path at 1,000 connections, then the bytes a fire leaves in SQLite on a fresh
// engine. See bench/README.md.
//
//   npm run bench                      3 rounds of 10 s per target, about 4 minutes
//   BENCH_ROUNDS=1 BENCH_SECONDS=5 BENCH_BYTES_REQUESTS=10000 node dist/bench/inbound.js --json
//
// Env:
//   BENCH_ROUNDS          rounds of all targets, interleaved (default 3)
//   BENCH_SECONDS         measured seconds per target per round (default 10)
//   BENCH_WARMUP_SECONDS  uncounted warm-up before each measured run (default 2)
//   BENCH_HIGH_CONNECTIONS connections of the last fire round (default 1000; 0 skips it)
//   BENCH_BYTES_REQUESTS  fires of the stored-bytes phase, 1 KB body each (default 100000; 0 skips it)
//   BENCH_NODE_RED        0 leaves Node-RED out (default: installed once, then reused)
//   BENCH_NODE_RED_DIR    where Node-RED is installed and run (default bench/.work/node-red)
//   BENCH_WORKERS         1: load generator in a worker thread (default); 0: on the main thread
//   BENCH_LOG_LEVEL       the engine's log level (default silent)
//   BENCH_GUARDS          1: the fire trigger has an idempotency key (one per request) and a rate limit (never reached)
//   --json                also print every number as JSON
// Only ever talks to 127.0.0.1 (and npm's registry, to install Node-RED the first time);
// the engines' dirs live in one temp dir it deletes.
import { randomBytes } from 'node:crypto';
import type { Engine } from '../src/engine.js';
import { fmt } from './support/format.js';
import { checkAims } from './support/inbound-aims.js';
import { benchRegistry, countBy, drain, startBenchEngine, total, type BenchSecrets } from './support/inbound-engine.js';
import { formatReport } from './support/inbound-report.js';
import { summarise, type HighConnections, type Round, type TargetName, type TargetResult } from './support/inbound-results.js';
import { FIRED_BODY, startBare, startKoaFloor } from './support/inbound-servers.js';
import { cleanupOnInterrupt, closers, runBench } from './support/lifecycle.js';
import { failuresOf, measure, type Load, type Summary, type Target } from './support/load.js';
import { listenOverflows } from './support/listen-overflows.js';
import { log } from './support/log.js';
import { describeMachine, loadNow, machineHeader, machineNote } from './support/machine.js';
import { ensureNodeRed } from './support/node-red-install.js';
import { FIRE_PATH, startNodeRed, type NodeRed } from './support/node-red.js';
import { descriptorsNeeded, openFilesLimit } from './support/fd-limit.js';
import { GUARDS, integerSetting, JSON_OUTPUT, positiveSetting, withGuardId } from './support/settings.js';
import { storedBytesPhase } from './support/inbound-bytes.js';
import { benchTempDir } from './support/tempdir.js';

const CONNECTIONS = 50;
const PIPELINING = 1;
const ROUNDS = integerSetting('BENCH_ROUNDS', 3, 1);
const SECONDS = positiveSetting('BENCH_SECONDS', 10, 'expected a positive number of seconds');
const WARMUP_SECONDS = positiveSetting('BENCH_WARMUP_SECONDS', 2, 'expected a positive number of seconds');
const HIGH_CONNECTIONS = integerSetting('BENCH_HIGH_CONNECTIONS', 1000, 0);
const BYTES_REQUESTS = integerSetting('BENCH_BYTES_REQUESTS', 100_000, 0);
const WITH_NODE_RED = process.env.BENCH_NODE_RED !== '0';
const WORKERS = process.env.BENCH_WORKERS === '0' ? 0 : 1;

const FIRE_BODY = withGuardId(JSON.stringify({ event: 'motion', zone: 'lobby', sensor: 'pir-3', value: 1 }));
const JSON_HEADERS = { 'content-type': 'application/json' };

/** After a measured run: what was checked, and what is wrong. */
interface Checked {
  problems: string[];
  checks: Record<string, number | string | boolean>;
}
type AfterRun = (warmup: Summary, measured: Summary) => Promise<Checked>;

/** A target and, for the engine's paths, how to check its rows: `prepare` runs before the warm-up and returns the check. */
interface Contender {
  name: TargetName;
  target: Target;
  prepare?: () => Promise<AfterRun>;
  /** false: skip it this round (Node-RED that has died), with the reason. */
  available?: () => string | undefined;
}

cleanupOnInterrupt();

/** The URL as printed: the secret is generated per run, but still not shown. */
function redact(url: string): string {
  return url.replace(/secret=[^&]*/, 'secret=…');
}

async function runContender(c: Contender, connections: number, timeoutsExcused = false): Promise<TargetResult> {
  const load: Load = { connections, workers: WORKERS, pipelining: PIPELINING };
  const loadavg1m = loadNow();
  const after = await c.prepare?.();
  const { warmup, measured } = await measure(c.target, load, WARMUP_SECONDS, SECONDS);
  const checked = after ? await after(warmup, measured) : { problems: [], checks: {} };
  const problems = [
    ...failuresOf(warmup, 'warm-up', { timeoutsExcused }),
    ...failuresOf(measured, 'measured', { timeoutsExcused }),
    ...checked.problems,
  ];
  log(
    `  ${c.name}: ${fmt(measured.reqPerSec, 0)} req/s, p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms${problems.length ? ' FLAGGED' : ''}`,
  );
  return {
    target: c.name,
    connections,
    loadavg1m,
    url: redact(c.target.url),
    method: c.target.method,
    warmup,
    measured,
    problems,
    flagged: problems.length > 0,
    checks: checked.checks,
  };
}

/** The fire path's rows: at least one run and one `fired` log row per 202 seen, every run succeeded. */
function fireCheck(engine: Engine): () => Promise<AfterRun> {
  return async () => {
    const runs0 = await countBy(engine, 'runs', 'trig-bench');
    const logged0 = await countBy(engine, 'request_log', 'trig-bench');
    return async (warmup, measured) => {
      const drainStarted = Date.now();
      const drained = await drain(engine);
      const drainMs = Date.now() - drainStarted;
      const runs = await countBy(engine, 'runs', 'trig-bench');
      const logged = await countBy(engine, 'request_log', 'trig-bench');
      const recorded = total(runs) - total(runs0);
      const succeeded = (runs.succeeded ?? 0) - (runs0.succeeded ?? 0);
      const fired = (logged.fired ?? 0) - (logged0.fired ?? 0);
      // Every 202 counted was committed first, so there are at least that many; a few more when the load stopped mid-request.
      const accepted = warmup.ok2xx + measured.ok2xx;
      const problems: string[] = [];
      if (!drained) problems.push('runs still in flight after 60 s');
      if (recorded < accepted) problems.push(`${accepted} responses were 202 but only ${recorded} runs are recorded`);
      if (fired < accepted) problems.push(`${accepted} responses were 202 but only ${fired} fired requests are logged`);
      if (recorded - succeeded > 0) problems.push(`${recorded - succeeded} runs did not succeed: ${JSON.stringify(runs)}`);
      if (engine.modules.find('sys-bench', 'Display_1')?.currentState.power !== true)
        problems.push('Display_1.power was not set by the runs');
      return {
        problems,
        checks: { accepted202: accepted, runsRecorded: recorded, runsSucceeded: succeeded, requestsLogged: fired, drainMs },
      };
    };
  };
}

/** The exec path's rows: one `exec` log row per 2xx seen. */
function execCheck(engine: Engine): () => Promise<AfterRun> {
  return async () => {
    const before = (await countBy(engine, 'request_log', 'trig-exec')).exec ?? 0;
    return async (warmup, measured) => {
      const drained = await drain(engine);
      const logged = ((await countBy(engine, 'request_log', 'trig-exec')).exec ?? 0) - before;
      const answered = warmup.ok2xx + measured.ok2xx;
      const problems: string[] = [];
      if (!drained) problems.push('runs still in flight after 60 s');
      if (logged < answered) problems.push(`${answered} responses were 2xx but only ${logged} exec requests are logged`);
      return { problems, checks: { answered2xx: answered, requestsLogged: logged } };
    };
  };
}

/** Node-RED, installed (once) and started; undefined with a note when either fails: the bench goes on without it. */
async function nodeRedOrNote(secret: string, notes: string[]): Promise<{ nodeRed: NodeRed; version: string } | undefined> {
  if (!WITH_NODE_RED) {
    notes.push('BENCH_NODE_RED=0: Node-RED left out');
    return undefined;
  }
  try {
    const install = await ensureNodeRed();
    const nodeRed = await startNodeRed(install, secret);
    closers.push(() => nodeRed.stop());
    notes.push(
      `Node-RED ${install.version} (${install.installed ? 'installed by this run' : 'installed earlier'} in ${install.workDir})`,
    );
    log(`Node-RED ${install.version} at ${nodeRed.url}`);
    return { nodeRed, version: install.version };
  } catch (error) {
    notes.push(`Node-RED left out: ${(error as Error).message}`);
    return undefined;
  }
}

/** Slower than this, a request counts as a straggler (autocannon's timeout is 10 s). */
const STRAGGLER_MS = 5_000;

/** Whether a run left requests waiting seconds: timeouts, or a slowest request past STRAGGLER_MS. */
function hasStragglers(r: TargetResult): boolean {
  return r.warmup.timeouts + r.measured.timeouts > 0 || Math.max(r.warmup.maxMs, r.measured.maxMs) >= STRAGGLER_MS;
}

/**
 * The fire path at many connections, after the rounds, and the bare node:http server at as
 * many just before it; skipped (and said why) when the open-file limit is too low. When the
 * bare server also left requests waiting seconds, the fire path's timeouts are reported but
 * do not flag it: node:http does that on its own at this many connections (bench/README.md).
 */
async function highConnectionsRound(
  fire: Contender,
  bare: Contender,
  rounds: readonly Round[],
): Promise<HighConnections | undefined> {
  if (HIGH_CONNECTIONS === 0) return undefined;
  const limit = openFilesLimit();
  const needed = descriptorsNeeded(HIGH_CONNECTIONS);
  let peakFireReqPerSec = NaN;
  let peakRound = 0;
  for (const round of rounds) {
    const r = round.results.find((t) => t.target === 'fire');
    if (r && !(r.measured.reqPerSec <= peakFireReqPerSec)) [peakFireReqPerSec, peakRound] = [r.measured.reqPerSec, round.round];
  }
  const base = {
    connections: HIGH_CONNECTIONS,
    openFilesLimit: limit ?? null,
    descriptorsNeeded: needed,
    peakFireReqPerSec,
    peakRound,
  };
  if (limit !== undefined && limit < needed)
    return {
      ...base,
      ratioToPeak: NaN,
      listenOverflows: null,
      skipped: `ulimit -n is ${limit}; raise it to at least ${needed} (ulimit -n ${needed})`,
    };
  log(`bare, then fire, at ${HIGH_CONNECTIONS} connections`);
  // A yardstick: its stragglers are what excuses the fire path's, never a flag of its own.
  const bareResult = await runContender(bare, HIGH_CONNECTIONS, true);
  const overflowsBefore = listenOverflows();
  const result = await runContender(fire, HIGH_CONNECTIONS, hasStragglers(bareResult));
  const overflowsAfter = listenOverflows();
  const overflows = overflowsBefore === undefined || overflowsAfter === undefined ? null : overflowsAfter - overflowsBefore;
  const barePeak = Math.max(
    ...rounds.flatMap((round) => round.results.filter((t) => t.target === 'bare').map((t) => t.measured.reqPerSec)),
  );
  return {
    ...base,
    result,
    bare: bareResult,
    bareRatioToPeak: bareResult.measured.reqPerSec / barePeak,
    timeoutsExcused: hasStragglers(bareResult),
    ratioToPeak: result.measured.reqPerSec / peakFireReqPerSec,
    listenOverflows: overflows,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const environment = {
    ...describeMachine(),
    connections: CONNECTIONS,
    pipelining: PIPELINING,
    rounds: ROUNDS,
    seconds: SECONDS,
    warmupSeconds: WARMUP_SECONDS,
    highConnections: HIGH_CONNECTIONS,
    bytesRequests: BYTES_REQUESTS,
    guards: GUARDS ? 'idempotency key per request + rate limit (never reached) on the fire trigger' : 'none',
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
  const skipped: { target: string; reason: string }[] = [];
  const registry = await benchRegistry(notes);

  // Everything the rounds load is started first and stays up, so each round meets the same servers.
  const bare = await startBare(secrets.fire);
  closers.push(() => bare.close());
  const koa = await startKoaFloor(secrets.fire);
  closers.push(() => koa.close());
  const maxConnections = Math.max(4096, HIGH_CONNECTIONS + 256);
  const rounds = await startBenchEngine({ dir, name: 'rounds', secrets, registry, wantExec: true, maxConnections, notes });
  closers.push(() => rounds.engine.stop());
  log(`engine at ${rounds.engine.url}`);
  const red = await nodeRedOrNote(secrets.fire, notes);

  const firePost = (name: TargetName, base: string, expectBody?: string): Target => ({
    name,
    url: `${base}${FIRE_PATH}?secret=${secrets.fire}`,
    method: 'POST',
    body: FIRE_BODY,
    idReplacement: GUARDS,
    headers: JSON_HEADERS,
    ...(expectBody ? { expectBody } : {}),
  });
  const fire: Contender = { name: 'fire', target: firePost('fire', rounds.engine.url), prepare: fireCheck(rounds.engine) };
  const contenders: Contender[] = [
    { name: 'bare', target: firePost('bare', bare.url, FIRED_BODY) },
    { name: 'koa floor', target: firePost('koa floor', koa.url, FIRED_BODY) },
    fire,
  ];
  if (rounds.exec) {
    contenders.push({
      name: 'exec',
      target: {
        name: 'exec',
        url: `${rounds.engine.url}/webhook/trig-exec/notify?secret=${secrets.exec}&exec=true&mod=Meraki&method=scanning`,
        method: 'GET',
        expectBody: secrets.merakiValidator,
      },
      prepare: execCheck(rounds.engine),
    });
  } else {
    skipped.push({ target: 'exec', reason: notes.find((n) => n.includes('exec path skipped')) ?? 'meraki driver unavailable' });
  }
  if (red) {
    contenders.push({
      name: 'node-red',
      target: firePost('node-red', red.nodeRed.url, FIRED_BODY),
      available: () => (red.nodeRed.running() ? undefined : 'Node-RED stopped running'),
    });
  }

  const measuredRounds: Round[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const loadavg1m = loadNow();
    log(`round ${round}/${ROUNDS} (load ${loadavg1m})`);
    const results: TargetResult[] = [];
    for (const c of contenders) {
      const gone = c.available?.();
      if (gone !== undefined) {
        if (!skipped.some((s) => s.target === c.name)) skipped.push({ target: c.name, reason: `${gone} (from round ${round})` });
        continue;
      }
      results.push(await runContender(c, CONNECTIONS));
    }
    measuredRounds.push({ round, loadavg1m, results });
  }
  await koa.close();
  await red?.nodeRed.stop();
  const high = await highConnectionsRound(fire, contenders[0]!, measuredRounds);
  // The yardsticks are done: the rest of the run is the engine's alone.
  await bare.close();
  await rounds.engine.stop();

  const bytes =
    BYTES_REQUESTS > 0
      ? await storedBytesPhase({
          dir,
          secrets,
          registry,
          notes,
          requests: BYTES_REQUESTS,
          workers: WORKERS,
          connections: CONNECTIONS,
        })
      : undefined;

  // ---- report ----
  const summary = summarise(measuredRounds);
  const aims = checkAims(measuredRounds, high, bytes);
  const elapsedSeconds = (Date.now() - started) / 1000;
  console.log(
    formatReport({
      header: machineHeader(environment),
      load:
        `${CONNECTIONS} connections, pipelining ${PIPELINING}, ${ROUNDS} interleaved rounds of ${SECONDS}s per target` +
        ` after a ${WARMUP_SECONDS}s warm-up each; ${environment.loadGenerator}` +
        (GUARDS ? `; fire trigger guarded: ${environment.guards}` : ''),
      rounds: measuredRounds,
      summary,
      high,
      bytes,
      aims,
      extra: [...(high?.bare ? [high.bare] : []), ...(high?.result ? [high.result] : [])],
      skipped,
      notes,
      elapsedSeconds,
    }),
  );

  // Node-RED's own trouble is reported, but does not make the engine's run invalid.
  const flagged =
    measuredRounds.some((r) => r.results.some((t) => t.flagged && t.target !== 'node-red')) ||
    high?.result?.flagged === true ||
    bytes?.flagged === true;
  if (JSON_OUTPUT) {
    console.log(
      JSON.stringify(
        {
          environment,
          nodeRed: red ? { version: red.version } : null,
          rounds: measuredRounds,
          summary,
          highConnections: high ?? null,
          storedBytes: bytes ?? null,
          aims,
          flagged,
          skipped,
          notes,
          elapsedSeconds,
        },
        null,
        2,
      ),
    );
  }
  if (flagged) process.exitCode = 1;
}

await runBench(main);
