// Config size benchmark: how `check` grows with the size of the YAML. For each shape (one huge
// mapping, many list items, many `${ENV}` references, deep nesting, aliases, files full of problems) it
// times `prepareConfig` on a small and a large config (1 MB and 5 MB) and prints the ratio of the
// times next to the ratio of the sizes, both measured in the same run.
//
//   npm run bench:config
//   BENCH_SHAPES=huge-map,deep BENCH_TIMEOUT_SECONDS=30 node dist/bench/config-size.js --json
//
// Env: BENCH_SMALL_MB (default 1), BENCH_LARGE_MB (default 5), BENCH_REPEATS (timed runs per
// config, the fastest counts; default 7, fewer once 20 s are spent), BENCH_TIMEOUT_SECONDS (per config; default 120),
// BENCH_SHAPES (comma-separated names; default all), BENCH_CHILD_FLAGS (node flags for the timed
// processes, e.g. "--cpu-prof --cpu-prof-dir=prof"). Everything it writes lives in one temp dir
// it deletes.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHAPES, type Shape } from './support/config-shapes.js';
import { fmt } from './support/format.js';
import { cleanupOnInterrupt, closers, runBench } from './support/lifecycle.js';
import { log } from './support/log.js';
import { describeMachine, machineHeader, machineNote } from './support/machine.js';
import { JSON_OUTPUT, integerSetting, positiveSetting } from './support/settings.js';
import { table } from './support/table.js';
import { benchTempDir } from './support/tempdir.js';
import type { TimeResult } from './support/time-prepare.js';

const MB = 1024 * 1024;
const SMALL_MB = positiveSetting('BENCH_SMALL_MB', 1);
const LARGE_MB = positiveSetting('BENCH_LARGE_MB', 5);
const REPEATS = integerSetting('BENCH_REPEATS', 7, 1);
const TIMEOUT_SECONDS = positiveSetting('BENCH_TIMEOUT_SECONDS', 120);
const CHILD_FLAGS = (process.env.BENCH_CHILD_FLAGS ?? '').split(' ').filter(Boolean);
const WARMUP_BYTES = 64 * 1024;
/** A size's timed runs after the first stop once this much time is spent. */
const REPEAT_BUDGET_SECONDS = 20;

// Aim: linear growth. The large config's time is at most this many times the small one's
// (5 MB against 1 MB: 5x for the work plus 1x of slack for the garbage collector and caches).
const AIM_RATIO = 6;

const TIMER = fileURLToPath(new URL('./support/time-prepare.js', import.meta.url));

interface Measured {
  bytes: number;
  /** The fastest timed run, in seconds; undefined when it did not finish within the timeout. */
  seconds?: number;
  runs: number;
  problems?: number;
  outputChars?: number;
  /** Why the result cannot be used (timeout, crash, wrong number of problems). */
  failure?: string;
}

interface ShapeResult {
  shape: string;
  description: string;
  small: Measured;
  large: Measured;
  sizeRatio: number;
  timeRatio: number;
  meetsAim: boolean;
}

/** Writes the shape's config (and its env.json) of about `bytes` into a new dir; returns the dir, bytes written and expected problems. */
function writeConfig(root: string, shape: Shape, label: string, bytes: number) {
  const dir = join(root, `${shape.name}-${label}`);
  mkdirSync(dir);
  const config = shape.make(bytes);
  let written = 0;
  for (const [name, text] of Object.entries(config.files)) {
    writeFileSync(join(dir, name), text);
    written += Buffer.byteLength(text);
  }
  writeFileSync(join(dir, 'env.json'), JSON.stringify(config.env));
  return { dir, bytes: written, problems: config.problems };
}

/** Runs the timer on `dir` in a child process; kills it at the timeout. */
function timeInChild(dir: string, warmupDir: string): Promise<TimeResult | string> {
  return new Promise((resolve) => {
    const child: ChildProcess = fork(TIMER, [dir, warmupDir, String(REPEATS), String(REPEAT_BUDGET_SECONDS)], {
      execArgv: ['--expose-gc', ...CHILD_FLAGS],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const kill = () => {
      child.kill('SIGKILL');
    };
    closers.push(kill);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    let result: TimeResult | undefined;
    child.on('message', (message) => (result = message as TimeResult));
    const timer = setTimeout(kill, TIMEOUT_SECONDS * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else if (signal === 'SIGKILL') resolve(`did not finish in ${TIMEOUT_SECONDS} s`);
      else resolve(`exited with ${signal ?? code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    });
  });
}

async function measure(root: string, shape: Shape, warmupDir: string, label: string, bytes: number): Promise<Measured> {
  const config = writeConfig(root, shape, label, bytes);
  log(`${shape.name} ${label}: ${fmt(config.bytes / MB)} MB`);
  const outcome = await timeInChild(config.dir, warmupDir);
  if (typeof outcome === 'string') return { bytes: config.bytes, runs: 0, failure: outcome };
  const measured: Measured = {
    bytes: config.bytes,
    seconds: Math.min(...outcome.ms) / 1000,
    runs: outcome.ms.length,
    problems: outcome.problems,
    outputChars: outcome.outputChars,
  };
  if (outcome.problems !== config.problems)
    measured.failure = `reported ${outcome.problems} problems, expected ${config.problems}`;
  return measured;
}

async function measureShape(root: string, shape: Shape): Promise<ShapeResult> {
  const warmupDir = writeConfig(root, shape, 'warmup', WARMUP_BYTES).dir;
  const small = await measure(root, shape, warmupDir, 'small', SMALL_MB * MB);
  const large = await measure(root, shape, warmupDir, 'large', LARGE_MB * MB);
  const timeRatio = (large.seconds ?? NaN) / (small.seconds ?? NaN);
  return {
    shape: shape.name,
    description: shape.description,
    small,
    large,
    sizeRatio: large.bytes / small.bytes,
    timeRatio,
    meetsAim: !small.failure && !large.failure && timeRatio <= AIM_RATIO,
  };
}

async function main(): Promise<void> {
  cleanupOnInterrupt();
  const wanted = (process.env.BENCH_SHAPES ?? '').split(',').filter(Boolean);
  const unknown = wanted.filter((name) => !SHAPES.some((s) => s.name === name));
  if (unknown.length > 0)
    throw new Error(`unknown shapes: ${unknown.join(', ')}; known: ${SHAPES.map((s) => s.name).join(', ')}`);
  const shapes = wanted.length === 0 ? SHAPES : SHAPES.filter((s) => wanted.includes(s.name));
  const machine = describeMachine();
  log(`config size: ${SMALL_MB} MB and ${LARGE_MB} MB per shape, timeout ${TIMEOUT_SECONDS} s; ${machineNote(machine)}`);
  const root = benchTempDir('switchboard-config-size-');
  const results: ShapeResult[] = [];
  for (const shape of shapes) results.push(await measureShape(root, shape));

  const seconds = (m: Measured) =>
    m.seconds !== undefined ? fmt(m.seconds, 3) : m.failure?.startsWith('did not finish') ? `>${TIMEOUT_SECONDS}` : 'failed';
  console.log(machineHeader(machine));
  console.log(
    table([
      [
        'shape',
        'small MB',
        'large MB',
        'x size',
        'small s',
        'large s',
        'x time',
        'problems (large)',
        `aim x time <= ${AIM_RATIO}`,
      ],
      ...results.map((r) => [
        r.shape,
        fmt(r.small.bytes / MB),
        fmt(r.large.bytes / MB),
        fmt(r.sizeRatio),
        seconds(r.small),
        seconds(r.large),
        fmt(r.timeRatio),
        String(r.large.problems ?? '-'),
        r.meetsAim ? 'met' : 'NOT met',
      ]),
    ]),
  );
  for (const r of results) {
    for (const [label, m] of [
      ['small', r.small],
      ['large', r.large],
    ] as const) {
      if (m.failure) console.log(`FLAGGED ${r.shape} ${label}: ${m.failure}`);
    }
  }
  if (JSON_OUTPUT) console.log(JSON.stringify({ machine, aimRatio: AIM_RATIO, results }));
  if (!results.every((r) => r.meetsAim)) process.exitCode = 1;
}

await runBench(main);
