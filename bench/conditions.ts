// Conditions benchmark: what 10,000 schedule instances and 10,000 compare instances cost
// an engine that is doing nothing else, and how long a module state change takes to reach
// the action of the one instance it makes true; next to an almost empty engine (one system,
// one instance) measured the same way in the same run.
//
//   npm run bench:conditions                         30 s idle window per engine
//   BENCH_IDLE_SECONDS=10 node dist/bench/conditions.js --json
//
// Env: BENCH_IDLE_SECONDS (default 30), BENCH_SAMPLES (latency samples per engine, default
// 300), BENCH_WARMUP_SAMPLES (uncounted, default 20), BENCH_LOG_LEVEL (engine log level,
// default silent). Start with --expose-gc to use the real gc() before memory readings; without
// it the bench turns the flag on at run time (v8.setFlagsFromString) and says so.
// Opens nothing but the engine's own listener on 127.0.0.1 (port 0); everything it writes
// lives in one temp dir it deletes.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants as perfConstants, performance, PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { getTasks } from 'node-cron';
import { driver as displayDriver } from '../drivers/display/driver.js';
import { defineDriver, z } from '../src/drivers/api.js';
import { registryOf } from '../src/drivers/registry.js';
import { startEngine, type Engine } from '../src/engine.js';
import { createLogger } from '../src/logger.js';
import { fmt } from './support/format.js';
import { cleanupOnInterrupt, closers, runBench } from './support/lifecycle.js';
import { HOST } from './support/listen.js';
import { log } from './support/log.js';
import { describeMachine, machineHeader, machineNote } from './support/machine.js';
import { percentile } from './support/percentile.js';
import { integerSetting, JSON_OUTPUT, LOG_LEVEL, positiveSetting } from './support/settings.js';
import { table } from './support/table.js';
import { benchTempDir } from './support/tempdir.js';

const IDLE_SECONDS = positiveSetting('BENCH_IDLE_SECONDS', 30);
const SAMPLES = integerSetting('BENCH_SAMPLES', 300, 1);
const WARMUP_SAMPLES = integerSetting('BENCH_WARMUP_SAMPLES', 20, 0);

// The loaded engine: SYSTEMS systems, each with PER_SYSTEM schedule instances and PER_SYSTEM
// compare instances (one of each trigger definition), so 10,000 + 10,000.
const SYSTEMS = 100;
const PER_SYSTEM = 100;
/** The measured instance: Display_1.volume greater_than THRESHOLD, on MEASURED_SYSTEM. */
const THRESHOLD = 60;
const MEASURED_SYSTEM = 'sys-050';
const MEASURED_INSTANCE = 'measured';
/** How long one state change may take to reach the action before the sample counts as lost. */
const HIT_TIMEOUT_MS = 2_000;

// Aims: an idle loaded engine uses under 2% of a core; a state change reaches its action in
// under 5 ms (median), with 20,000 condition instances loaded.
const AIM_IDLE_CPU_PCT = 2;
const AIM_LATENCY_P50_MS = 5;

cleanupOnInterrupt();

// ---- gc before memory readings ----

function findGc(): { gc: (() => void) | undefined; how: string } {
  const global = (globalThis as { gc?: () => void }).gc;
  if (typeof global === 'function') return { gc: global, how: 'gc() from --expose-gc' };
  try {
    setFlagsFromString('--expose-gc');
    const fromFlag = runInNewContext('gc') as unknown;
    if (typeof fromFlag === 'function')
      return {
        gc: fromFlag as () => void,
        how: 'gc() via v8.setFlagsFromString("--expose-gc") (node was started without --expose-gc)',
      };
  } catch {
    // fall through
  }
  return { gc: undefined, how: 'none (no gc available): memory readings include uncollected garbage' };
}

const { gc, how: gcMethod } = findGc();

function collect(): void {
  if (!gc) return;
  gc();
  gc();
}

interface Memory {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
}

function memory(): Memory {
  collect();
  const m = process.memoryUsage();
  const mb = (n: number) => n / (1024 * 1024);
  return { rssMb: mb(m.rss), heapUsedMb: mb(m.heapUsed), heapTotalMb: mb(m.heapTotal), externalMb: mb(m.external) };
}

// ---- the probe: the measured instance's action, timed where it runs ----

/** Set while a sample waits for the action; called from inside the module method. */
let onHit: ((at: number) => void) | undefined;
let hits = 0;

const probeDriver = defineDriver({
  name: 'benchprobe',
  module: 'Probe',
  description: 'Bench only: a method that notes when it runs, so the bench sees the action start.',
  settings: z.object({}),
  state: z.object({ hits: z.number() }),
  initialState: () => ({ hits: 0 }),
  methods: {
    hit: {
      description: 'Notes the time it was called.',
      args: z.object({}),
      run: (ctx) => {
        const at = performance.now();
        hits++;
        onHit?.(at);
        ctx.setState({ hits: ctx.state.hits + 1 });
      },
    },
  },
});

// ---- the configs ----

// Cron with seconds and time zones. Only the first fires every 30 s; the every-5-minutes
// one fires when a window crosses a multiple of 5 minutes, the hourly ones when it crosses
// their minute; the daily and weekday ones almost never in a short window.
const ZONES = ['Australia/Sydney', 'Europe/London', 'America/New_York', 'UTC', 'Asia/Tokyo'] as const;

function scheduleOf(k: number): { schedule: string; timezone?: string } {
  const zone = ZONES[k % ZONES.length]!;
  if (k === 0) return { schedule: '*/30 * * * * *' };
  if (k === 1) return { schedule: '0 */5 * * * *', timezone: 'Europe/London' };
  if (k === 2) return { schedule: '0 0 9 * * 1-5', timezone: 'Australia/Sydney' };
  if (k === 3) return { schedule: '0 30 7 * * 1-5', timezone: 'America/New_York' };
  if (k === 4) return { schedule: '0 0 18 * * 1-5', timezone: 'Europe/London' };
  // Hourly at a varied minute and second.
  if (k < 35) return { schedule: `${(k * 13) % 60} ${(k * 7) % 60} * * * *`, timezone: zone };
  // Daily or on weekdays at a varied time of day.
  const hour = 5 + (k % 16);
  const minute = (k * 11) % 60;
  return { schedule: `0 ${minute} ${hour} * * ${k % 2 === 0 ? '1-5' : '*'}`, timezone: zone };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const systemId = (s: number) => `sys-${pad(s, 3)}`;

const MEASURED_TRIGGER = `  - id: measured
    conditions:
      - compare: { left: Display_1.volume, op: greater_than, right: ${THRESHOLD} }
    actions:
      - call: Probe_1.hit
`;

const SERVER = `server:
  host: ${HOST}
  port: 0
  durability: normal
  shutdown_timeout: 10s
`;

interface ConfigShape {
  systems: number;
  scheduleInstances: number;
  compareInstances: number;
  triggers: number;
  files: Record<string, string>;
}

function emptyConfig(): ConfigShape {
  return {
    systems: 1,
    scheduleInstances: 0,
    compareInstances: 1,
    triggers: 1,
    files: {
      'bench.yaml': `${SERVER}
systems:
  - { id: ${MEASURED_SYSTEM}, modules: [{ driver: display }, { driver: benchprobe }] }

triggers:
${MEASURED_TRIGGER}
instances:
  - { id: ${MEASURED_INSTANCE}, trigger: measured, system: ${MEASURED_SYSTEM} }
`,
    },
  };
}

function loadedConfig(): ConfigShape {
  const systems: string[] = [];
  for (let s = 0; s < SYSTEMS; s++) {
    const id = systemId(s);
    systems.push(`  - { id: ${id}, modules: [{ driver: display }${id === MEASURED_SYSTEM ? ', { driver: benchprobe }' : ''}] }`);
  }
  const triggers: string[] = [];
  for (let k = 0; k < PER_SYSTEM; k++) {
    const { schedule, timezone } = scheduleOf(k);
    triggers.push(`  - id: sch-${pad(k, 2)}
    conditions:
      - schedule: "${schedule}"${timezone ? `\n        timezone: ${timezone}` : ''}
    actions:
      - call: Display_1.mute
        args: { state: true }`);
  }
  // Thresholds 0..99: on every system each threshold is used by exactly one instance, so
  // moving the volume between THRESHOLD and THRESHOLD + 1 is an edge for exactly one.
  for (let k = 0; k < PER_SYSTEM; k++) {
    triggers.push(`  - id: cmp-${pad(k, 2)}
    conditions:
      - compare: { left: Display_1.volume, op: greater_than, right: ${k} }
    actions:
      - call: Display_1.mute
        args: { state: true }`);
  }
  const instances: string[] = [];
  let scheduleInstances = 0;
  let compareInstances = 0;
  for (let s = 0; s < SYSTEMS; s++) {
    const id = systemId(s);
    const short = `s${pad(s, 3)}`;
    for (let k = 0; k < PER_SYSTEM; k++) {
      instances.push(`  - { id: ${short}-sch-${pad(k, 2)}, trigger: sch-${pad(k, 2)}, system: ${id} }`);
      scheduleInstances++;
    }
    for (let k = 0; k < PER_SYSTEM; k++) {
      // On the measured system, the instance with the measured threshold is the measured one.
      if (id === MEASURED_SYSTEM && k === THRESHOLD)
        instances.push(`  - { id: ${MEASURED_INSTANCE}, trigger: measured, system: ${id} }`);
      else instances.push(`  - { id: ${short}-cmp-${pad(k, 2)}, trigger: cmp-${pad(k, 2)}, system: ${id} }`);
      compareInstances++;
    }
  }
  return {
    systems: SYSTEMS,
    scheduleInstances,
    compareInstances,
    triggers: 2 * PER_SYSTEM + 1,
    files: {
      'server.yaml': SERVER,
      'systems.yaml': `systems:\n${systems.join('\n')}\n`,
      'triggers.yaml': `triggers:\n${triggers.join('\n')}\n${MEASURED_TRIGGER}`,
      'instances.yaml': `instances:\n${instances.join('\n')}\n`,
    },
  };
}

// ---- measuring ----

interface Latency {
  samples: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  minMs: number;
}

function latencyOf(values: number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    samples: sorted.length,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? NaN,
    minMs: sorted[0] ?? NaN,
    meanMs: sorted.length > 0 ? sorted.reduce((a, b) => a + b, 0) / sorted.length : NaN,
  };
}

interface Idle {
  seconds: number;
  /** process.cpuUsage() (user + system) over wall time, % of one core. */
  cpuPct: number;
  userMs: number;
  systemMs: number;
  /** Main-thread event loop utilisation over the window. */
  loopBusyPct: number;
  /** Runs created in the window (all by schedules: nothing else calls the engine). */
  runs: number;
  runsByTrigger: Record<string, number>;
  /** Compare evaluations in the window (state changes made by the schedules' actions). */
  evaluations: number;
  /** CPU % of each slice of the window (about 5 s each), to tell a one-off (a GC) from a steady cost. */
  slicesCpuPct: number[];
  /** Main-thread GC pauses seen in the window (PerformanceObserver 'gc'). */
  gc: { count: number; ms: number; major: number; majorMs: number };
  /** Linux only: CPU of the main thread and of all other threads (V8 platform workers, libuv pool), 10 ms ticks. */
  threadsCpuMs?: { main: number; others: number };
}

/** CPU time per thread from /proc/self/task (Linux), split into the main thread and the rest. */
function threadCpuMs(): { main: number; others: number } | undefined {
  try {
    let main = 0;
    let others = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // Fields after the command name (which is in parentheses and may hold spaces): utime and stime are the 12th and 13th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
      if (Number(tid) === process.pid) main += ms;
      else others += ms;
    }
    return Number.isFinite(main) && Number.isFinite(others) ? { main, others } : undefined;
  } catch {
    return undefined;
  }
}

interface EngineResult {
  engine: 'empty' | 'loaded';
  systems: number;
  triggers: number;
  scheduleInstances: number;
  compareInstances: number;
  /** engine.live.current.timed.size: schedule entries on the one timer. */
  scheduleEntries: number;
  /** engine.live.current.conditions.pathCount: distinct system/module.key paths watched. */
  watchedPaths: number;
  configBytes: number;
  startupMs: number;
  /** After start, after gc (see gcMethod). */
  memory: Memory;
  /** memory.rssMb minus the process's RSS before any engine started. */
  rssDeltaMb: number;
  heapDeltaMb: number;
  /** Tasks added to node-cron's global registry by this start (createTask registers every schedule there). */
  cronTasksRegistered: number;
  /** A second start on the same config and data dir (secrets and schedule baselines already stored), loaded engine only. */
  restart?: { startupMs: number; cronTasksInRegistry: number };
  idle: Idle;
  latency: Latency;
  checks: Record<string, number | string | boolean>;
  problems: string[];
  flagged: boolean;
}

async function runsBetween(engine: Engine, from: number, to: number): Promise<Record<string, number>> {
  const rows = await engine.store.database.db
    .selectFrom('runs')
    .select(['trigger_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .groupBy('trigger_id')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.trigger_id, Number(r.n)]));
}

async function measureIdle(engine: Engine): Promise<Idle> {
  log(`  idle: ${IDLE_SECONDS} s, nothing calls the engine`);
  const gcSeen = { count: 0, ms: 0, major: 0, majorMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcSeen.count++;
      gcSeen.ms += entry.duration;
      if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) {
        gcSeen.major++;
        gcSeen.majorMs += entry.duration;
      }
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const slices = Math.max(1, Math.round(IDLE_SECONDS / 5));
  const slicesCpuPct: number[] = [];
  const evaluations = engine.live.current.conditions.evaluations;
  const from = Date.now();
  const threads = threadCpuMs();
  const elu = performance.eventLoopUtilization();
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 1; i <= slices; i++) {
    const sliceCpu = process.cpuUsage();
    const sliceStarted = performance.now();
    // Each slice ends at its share of the window from the start, so the slices add up to it.
    await sleep(Math.max(0, started + (IDLE_SECONDS * 1000 * i) / slices - performance.now()));
    const sliceUsed = process.cpuUsage(sliceCpu);
    slicesCpuPct.push(((sliceUsed.user + sliceUsed.system) / 1000 / (performance.now() - sliceStarted)) * 100);
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const busy = performance.eventLoopUtilization(elu);
  const threadsAfter = threadCpuMs();
  const to = Date.now();
  // GC entries are delivered asynchronously: let the last ones arrive before disconnecting.
  await sleep(0);
  observer.disconnect();
  const runsByTrigger = await runsBetween(engine, from, to);
  return {
    seconds: wallMs / 1000,
    cpuPct: ((used.user + used.system) / 1000 / wallMs) * 100,
    userMs: used.user / 1000,
    systemMs: used.system / 1000,
    loopBusyPct: busy.utilization * 100,
    runs: Object.values(runsByTrigger).reduce((a, b) => a + b, 0),
    runsByTrigger,
    evaluations: engine.live.current.conditions.evaluations - evaluations,
    slicesCpuPct,
    gc: gcSeen,
    threadsCpuMs:
      threads && threadsAfter
        ? { main: threadsAfter.main - threads.main, others: threadsAfter.others - threads.others }
        : undefined,
  };
}

/**
 * Alternates the measured system's Display_1.volume between THRESHOLD (the measured
 * instance does not hold) and THRESHOLD + 1 (it holds: an edge). Each sample runs from just
 * before the `volume` call that makes the edge to the moment the measured instance's action
 * (Probe_1.hit) starts running in the engine.
 */
async function measureLatency(
  engine: Engine,
  problems: string[],
): Promise<{ latency: Latency; evaluationsPerChange: number; lost: number }> {
  const display = engine.modules.find(MEASURED_SYSTEM, 'Display_1');
  if (!display) throw new Error(`${MEASURED_SYSTEM} has no Display_1`);
  log(`  latency: ${WARMUP_SAMPLES} uncounted + ${SAMPLES} edges of ${MEASURED_INSTANCE} on ${MEASURED_SYSTEM}`);
  // From the initial volume (30) to THRESHOLD: the instances with thresholds in between fire
  // once here (not measured), so later moves between THRESHOLD and THRESHOLD + 1 are edges for one.
  await display.call('volume', { level: THRESHOLD });
  await engine.settled();

  const samples: number[] = [];
  let lost = 0;
  let changes = 0;
  let evaluations = 0;
  for (let i = 0; i < WARMUP_SAMPLES + SAMPLES; i++) {
    await display.call('volume', { level: THRESHOLD });
    await engine.settled();
    let timer: NodeJS.Timeout | undefined;
    const hit = new Promise<number | undefined>((resolve) => {
      onHit = resolve;
      timer = setTimeout(() => resolve(undefined), HIT_TIMEOUT_MS);
    });
    const before = engine.live.current.conditions.evaluations;
    const started = performance.now();
    await display.call('volume', { level: THRESHOLD + 1 });
    const at = await hit;
    clearTimeout(timer);
    onHit = undefined;
    evaluations += engine.live.current.conditions.evaluations - before;
    changes++;
    if (at === undefined) lost++;
    else if (i >= WARMUP_SAMPLES) samples.push(at - started);
    await engine.settled();
  }
  if (lost > 0)
    problems.push(`${lost} of ${WARMUP_SAMPLES + SAMPLES} edges did not reach the action within ${HIT_TIMEOUT_MS} ms`);
  return { latency: latencyOf(samples), evaluationsPerChange: evaluations / changes, lost };
}

async function measureEngine(
  name: EngineResult['engine'],
  shape: ConfigShape,
  dir: string,
  registry: ReturnType<typeof registryOf>,
  before: Memory,
): Promise<EngineResult> {
  const configDir = join(dir, name, 'config');
  const dataDir = join(dir, name, 'data');
  mkdirSync(configDir, { recursive: true });
  let configBytes = 0;
  for (const [file, text] of Object.entries(shape.files)) {
    writeFileSync(join(configDir, file), text);
    configBytes += Buffer.byteLength(text);
  }
  const problems: string[] = [];
  const totalInstances = shape.scheduleInstances + shape.compareInstances;
  log(
    `${name}: ${shape.systems} systems, ${shape.scheduleInstances} schedule + ${shape.compareInstances} compare instances, ${(configBytes / 1024).toFixed(0)} KiB of YAML`,
  );

  collect();
  const cronTasksBefore = getTasks().size;
  const started = performance.now();
  const engine = await startEngine({
    configDir,
    dataDir,
    port: 0,
    host: HOST,
    registry,
    log: createLogger({ level: LOG_LEVEL }),
    env: {},
  });
  const startupMs = performance.now() - started;
  closers.push(() => engine.stop());
  log(`  started in ${(startupMs / 1000).toFixed(2)} s`);
  await engine.settled();
  const mem = memory();
  const cronTasksRegistered = getTasks().size - cronTasksBefore;

  const hitsBefore = hits;
  const idle = await measureIdle(engine);
  const { latency, evaluationsPerChange, lost } = await measureLatency(engine, problems);
  await engine.settled();

  // ---- checks: every edge made exactly one run of the measured instance, and it succeeded ----
  const db = engine.store.database.db;
  const measuredRuns = await db
    .selectFrom('runs')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('instance_id', '=', MEASURED_INSTANCE)
    .groupBy('status')
    .execute();
  const byStatus = Object.fromEntries(measuredRuns.map((r) => [r.status, Number(r.n)]));
  const runsRecorded = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const edges = WARMUP_SAMPLES + SAMPLES;
  const probeHits = hits - hitsBefore;
  const failedRuns = Number(
    (
      await db
        .selectFrom('runs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '!=', 'succeeded')
        .executeTakeFirstOrThrow()
    ).n,
  );
  if (runsRecorded !== edges)
    problems.push(`${runsRecorded} runs of ${MEASURED_INSTANCE} recorded, expected one per edge (${edges})`);
  if ((byStatus.succeeded ?? 0) !== runsRecorded)
    problems.push(`runs of ${MEASURED_INSTANCE} not all succeeded: ${JSON.stringify(byStatus)}`);
  if (probeHits !== edges) problems.push(`Probe_1.hit ran ${probeHits} times, expected ${edges}`);
  if (failedRuns > 0) problems.push(`${failedRuns} runs in the store did not succeed`);
  if (engine.live.current.timed.size !== shape.scheduleInstances)
    problems.push(`engine.live.current.timed.size is ${engine.live.current.timed.size}, expected ${shape.scheduleInstances}`);
  // Every compare instance on the measured system reads Display_1.volume.
  const expectedEvaluations = name === 'loaded' ? PER_SYSTEM : 1;
  if (evaluationsPerChange !== expectedEvaluations)
    problems.push(`${evaluationsPerChange} evaluations per volume change, expected ${expectedEvaluations}`);
  if (idle.evaluations !== 0)
    problems.push(
      `${idle.evaluations} compare evaluations during the idle window (nothing there reads what the schedules change)`,
    );

  const result: EngineResult = {
    engine: name,
    systems: shape.systems,
    triggers: shape.triggers,
    scheduleInstances: shape.scheduleInstances,
    compareInstances: shape.compareInstances,
    scheduleEntries: engine.live.current.timed.size,
    watchedPaths: engine.live.current.conditions.pathCount,
    configBytes,
    startupMs,
    memory: mem,
    rssDeltaMb: mem.rssMb - before.rssMb,
    heapDeltaMb: mem.heapUsedMb - before.heapUsedMb,
    cronTasksRegistered,
    idle,
    latency,
    checks: {
      instances: totalInstances,
      edges,
      runsOfMeasured: runsRecorded,
      probeHits,
      lostSamples: lost,
      evaluationsPerVolumeChange: evaluationsPerChange,
      runsNotSucceeded: failedRuns,
    },
    problems,
    flagged: problems.length > 0,
  };
  await engine.stop();

  if (name === 'loaded') {
    // Start-up again, now that the first start's secrets and schedule baselines are stored.
    collect();
    const restarted = performance.now();
    const again = await startEngine({
      configDir,
      dataDir,
      port: 0,
      host: HOST,
      registry,
      log: createLogger({ level: LOG_LEVEL }),
      env: {},
    });
    const restartMs = performance.now() - restarted;
    closers.push(() => again.stop());
    log(`  restarted in ${(restartMs / 1000).toFixed(2)} s`);
    await again.settled();
    // node-cron keeps every task createTask made (stopping the engine does not destroy them).
    result.restart = { startupMs: restartMs, cronTasksInRegistry: getTasks().size };
    await again.stop();
  }
  return result;
}

// ---- output ----

function describeRuns(byTrigger: Record<string, number>): string {
  const entries = Object.entries(byTrigger).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? 'none' : entries.map(([t, n]) => `${t} x${n}`).join(', ');
}

// ---- main ----

async function main(): Promise<void> {
  const environment = {
    ...describeMachine(),
    idleSeconds: IDLE_SECONDS,
    samples: SAMPLES,
    warmupSamples: WARMUP_SAMPLES,
    gcMethod,
  };
  log(`${machineNote(environment)}; ${gcMethod}`);

  const dir = benchTempDir('switchboard-bench-conditions-');
  // Only the display driver (and the bench's probe): a driver folder being edited elsewhere
  // cannot stop the engine from starting.
  const registry = registryOf([displayDriver, probeDriver]);

  const before = memory();
  const results: EngineResult[] = [];
  // The empty engine first, so its memory reading does not carry the loaded engine's leftovers.
  results.push(await measureEngine('empty', emptyConfig(), dir, registry, before));
  collect();
  results.push(await measureEngine('loaded', loadedConfig(), dir, registry, before));

  // ---- report ----
  const empty = results[0]!;
  const loaded = results[1]!;
  const flagged = results.some((r) => r.flagged);
  const aims = {
    idleCpuPct: loaded.idle.cpuPct,
    idleCpuMet: !loaded.flagged && loaded.idle.cpuPct < AIM_IDLE_CPU_PCT,
    latencyP50Ms: loaded.latency.p50Ms,
    latencyP50Met: !loaded.flagged && loaded.latency.p50Ms < AIM_LATENCY_P50_MS,
    valid: !loaded.flagged,
  };

  const rows = [
    [
      'engine',
      'instances',
      'start-up s',
      'RSS MB',
      'Δ RSS MB',
      'heap MB',
      'idle CPU %',
      'loop busy %',
      'idle runs',
      'p50 ms',
      'p99 ms',
      'max ms',
      'evals/change',
      '',
    ],
  ];
  for (const r of results) {
    rows.push([
      r.engine,
      String(r.scheduleInstances + r.compareInstances),
      fmt(r.startupMs / 1000),
      fmt(r.memory.rssMb, 0),
      fmt(r.rssDeltaMb, 0),
      fmt(r.memory.heapUsedMb, 1),
      fmt(r.idle.cpuPct, 3),
      fmt(r.idle.loopBusyPct, 3),
      String(r.idle.runs),
      fmt(r.latency.p50Ms, 3),
      fmt(r.latency.p99Ms, 3),
      fmt(r.latency.maxMs, 3),
      String(r.checks.evaluationsPerVolumeChange),
      r.flagged ? 'FLAGGED' : '',
    ]);
  }

  const out: string[] = [];
  out.push('');
  out.push(machineHeader(environment));
  out.push(
    `loaded: ${loaded.systems} systems (Display_1 each), ${loaded.triggers} trigger definitions, ${loaded.scheduleInstances} schedule + ${loaded.compareInstances} compare instances (${fmt(loaded.configBytes / 1024, 0)} KiB YAML);`,
  );
  out.push(
    `empty: 1 system, 1 compare instance. Idle window ${IDLE_SECONDS} s; ${SAMPLES} latency samples per engine after ${WARMUP_SAMPLES} uncounted.`,
  );
  out.push(
    `memory read after ${gcMethod}; before any engine: RSS ${fmt(before.rssMb, 0)} MB, heap ${fmt(before.heapUsedMb, 1)} MB (the empty engine ran first in this process)`,
  );
  out.push('');
  out.push(table(rows));
  out.push(
    '(start-up: startEngine() until it resolved, on an empty data dir; idle CPU: process.cpuUsage() user+system over wall time, % of one core;',
  );
  out.push(
    ' idle runs: runs created by schedules during the idle window; p50/p99/max: performance.now() just before Display_1.volume is',
  );
  out.push(
    ' called with the value that makes the measured instance hold, until its action (Probe_1.hit) starts running: includes the',
  );
  out.push(
    " call's argument check, the evaluation of every instance reading that path, the fire and the group commit of its run",
  );
  out.push(
    " (one setImmediate turn + a SQLite transaction), the run starting and the action's argument check; not the action's own record;",
  );
  out.push(' evals/change: compare evaluations per volume change on the measured system)');
  out.push('');
  for (const r of results) {
    out.push(
      `${r.engine}: start-up ${fmt(r.startupMs, 0)} ms; RSS ${fmt(r.memory.rssMb, 1)} MB, heap used ${fmt(r.memory.heapUsedMb, 1)} MB of ${fmt(r.memory.heapTotalMb, 1)} MB, external ${fmt(r.memory.externalMb, 1)} MB; ` +
        `${r.scheduleEntries} schedule entries, ${r.watchedPaths} watched paths, ${r.cronTasksRegistered} node-cron tasks registered`,
    );
    if (r.restart)
      out.push(
        `  restart on the same data dir: ${fmt(r.restart.startupMs, 0)} ms; node-cron's registry now holds ${r.restart.cronTasksInRegistry} tasks`,
      );
    out.push(
      `  idle ${fmt(r.idle.seconds, 1)} s: CPU ${fmt(r.idle.cpuPct, 3)}% (user ${fmt(r.idle.userMs, 0)} ms, system ${fmt(r.idle.systemMs, 0)} ms), loop busy ${fmt(r.idle.loopBusyPct, 3)}%, ` +
        `runs: ${describeRuns(r.idle.runsByTrigger)}`,
    );
    out.push(
      `  idle CPU % per ${fmt(r.idle.seconds / r.idle.slicesCpuPct.length, 0)} s slice: ${r.idle.slicesCpuPct.map((p) => fmt(p, 2)).join(' ')}; ` +
        `main-thread GC in the window: ${r.idle.gc.count} pauses, ${fmt(r.idle.gc.ms, 1)} ms (${r.idle.gc.major} major, ${fmt(r.idle.gc.majorMs, 1)} ms)` +
        (r.idle.threadsCpuMs
          ? `; CPU by thread (/proc, 10 ms ticks): main ${fmt(r.idle.threadsCpuMs.main, 0)} ms, other threads ${fmt(r.idle.threadsCpuMs.others, 0)} ms`
          : ''),
    );
    out.push(
      `  state change -> action: p50 ${fmt(r.latency.p50Ms, 3)} ms, p90 ${fmt(r.latency.p90Ms, 3)} ms, p99 ${fmt(r.latency.p99Ms, 3)} ms, max ${fmt(r.latency.maxMs, 3)} ms, mean ${fmt(r.latency.meanMs, 3)} ms (n=${r.latency.samples})`,
    );
  }
  out.push('');
  const invalid = aims.valid ? '' : ' (run flagged, not valid)';
  out.push(
    `aim: loaded engine idle CPU < ${AIM_IDLE_CPU_PCT}%: ${fmt(aims.idleCpuPct, 3)}% -> ${aims.idleCpuMet ? 'met' : 'NOT met'}${invalid}`,
  );
  out.push(
    `aim: loaded engine state change -> action median < ${AIM_LATENCY_P50_MS} ms: ${fmt(aims.latencyP50Ms, 3)} ms -> ${aims.latencyP50Met ? 'met' : 'NOT met'}${invalid}`,
  );
  out.push(`for comparison, empty engine: idle CPU ${fmt(empty.idle.cpuPct, 3)}%, median ${fmt(empty.latency.p50Ms, 3)} ms`);
  for (const r of results) for (const p of r.problems) out.push(`FLAGGED ${r.engine}: ${p}`);
  for (const r of results) out.push(`${r.engine} checks: ${JSON.stringify(r.checks)}`);
  console.log(out.join('\n'));

  if (JSON_OUTPUT) console.log(JSON.stringify({ environment, results, aims, flagged }, null, 2));
  if (flagged) process.exitCode = 1;
}

await runBench(main);
