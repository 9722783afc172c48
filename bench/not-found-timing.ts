// Does a 404 say, by its timing, whether the instance exists? Interleaved pairs through a
// real listener: an unknown instance against a real instance with a wrong secret (the two
// 404s a prober would compare), in random order within each pair, one keep-alive
// connection. Reports the median difference of the pairs with a distribution-free 95%
// confidence interval (order statistics of the paired differences), beside an A/A control
// (unknown against unknown) that shows the noise floor of the same run.
//
//   npm run bench:timing                 2,000 pairs after 500 of warm-up
//   BENCH_PAIRS=5000 node dist/bench/not-found-timing.js --json
//
// The engine logs at its default level (info) to /dev/null, so the log line of a refusal
// costs what it costs in production. Only talks to 127.0.0.1.
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { pino } from 'pino';
import { startEngine } from '../src/engine.js';
import { createLogger } from '../src/logger.js';
import { fmt } from './support/format.js';
import { closers, runBench } from './support/lifecycle.js';
import { HOST } from './support/listen.js';
import { log } from './support/log.js';
import { describeMachine, machineHeader, machineNote } from './support/machine.js';
import { integerSetting, JSON_OUTPUT } from './support/settings.js';
import { table } from './support/table.js';
import { benchTempDir } from './support/tempdir.js';

const PAIRS = integerSetting('BENCH_PAIRS', 2_000, 100);
const WARMUP_PAIRS = integerSetting('BENCH_WARMUP_PAIRS', 500, 0);
/** The aim: the interval includes zero, or the whole interval stays within ±5 µs. */
const AIM_US = 5;
const SECRET = 'timing-secret-0123456789abcdef';

/** One request at a time on one keep-alive connection; resolves with the time to the whole answer, in µs. */
class TimedConnection {
  private pending: { resolve: (us: number) => void; started: bigint } | undefined;
  private buffer = '';

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => this.onData(chunk));
  }

  static open(port: number): Promise<TimedConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: HOST, port }, () => resolve(new TimedConnection(socket)));
      socket.once('error', reject);
    });
  }

  send(path: string): Promise<number> {
    return new Promise((resolve) => {
      this.pending = { resolve, started: process.hrtime.bigint() };
      this.socket.write(`POST ${path} HTTP/1.1\r\nHost: bench\r\nContent-Length: 0\r\n\r\n`);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0 || !this.pending) return;
    const length = Number(/content-length: (\d+)/i.exec(this.buffer.slice(0, end))?.[1] ?? 0);
    if (this.buffer.length < end + 4 + length) return;
    if (!this.buffer.startsWith('HTTP/1.1 404')) throw new Error(`expected a 404, got: ${this.buffer.slice(0, 80)}`);
    const { resolve, started } = this.pending;
    this.pending = undefined;
    this.buffer = this.buffer.slice(end + 4 + length);
    resolve(Number(process.hrtime.bigint() - started) / 1000);
  }
}

interface Comparison {
  name: string;
  pairs: number;
  medianAUs: number;
  medianBUs: number;
  medianDiffUs: number;
  ci95Us: [number, number];
  meetsAim: boolean;
}

/** The median of the paired differences B − A and its 95% interval from order statistics (sign-test inversion). */
function compare(name: string, a: number[], b: number[]): Comparison {
  const diffs = a.map((x, i) => b[i]! - x).sort((x, y) => x - y);
  const n = diffs.length;
  const median = (sorted: number[]) => (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
  const k = Math.max(0, Math.floor(n / 2 - (1.96 * Math.sqrt(n)) / 2));
  const ci: [number, number] = [diffs[k]!, diffs[n - 1 - k]!];
  return {
    name,
    pairs: n,
    medianAUs: median([...a].sort((x, y) => x - y)),
    medianBUs: median([...b].sort((x, y) => x - y)),
    medianDiffUs: median(diffs),
    ci95Us: ci,
    meetsAim: (ci[0] <= 0 && ci[1] >= 0) || (Math.abs(ci[0]) < AIM_US && Math.abs(ci[1]) < AIM_US),
  };
}

async function measurePairs(connection: TimedConnection, pathA: () => string, pathB: () => string, pairs: number) {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < pairs; i++) {
    // Random order within each pair, so drift and warm caches favour neither side.
    if (Math.random() < 0.5) {
      a.push(await connection.send(pathA()));
      b.push(await connection.send(pathB()));
    } else {
      b.push(await connection.send(pathB()));
      a.push(await connection.send(pathA()));
    }
  }
  return { a, b };
}

async function main(): Promise<void> {
  const machine = describeMachine();
  log(`not-found timing: ${PAIRS} pairs after ${WARMUP_PAIRS} of warm-up; ${machineNote(machine)}`);
  const dir = benchTempDir('switchboard-timing-');
  const configDir = join(dir, 'config');
  mkdirSync(configDir);
  writeFileSync(
    join(configDir, 'bench.yaml'),
    `server: { host: ${HOST}, port: 0 }
systems: [{ id: sys-t, modules: [{ driver: display }] }]
triggers: [{ id: t-t, actions: [{ call: Display_1.power, args: { state: true } }] }]
instances: [{ id: trig-real, trigger: t-t, system: sys-t, secret: ${SECRET} }]
`,
  );
  const logger = createLogger({ level: 'info', destination: pino.destination({ dest: '/dev/null', sync: true }) });
  const engine = await startEngine({ configDir, dataDir: join(dir, 'data'), port: 0, host: HOST, log: logger, env: {} });
  closers.push(() => engine.stop());
  const port = Number(new URL(engine.url).port);
  const connection = await TimedConnection.open(port);
  closers.push(() => connection.close());

  // Same length of path and secret for both: only whether the instance exists differs.
  let counter = 0;
  const wrong = () => `wrong-${String(counter++).padStart(24, '0')}`;
  const unknown = () => `/webhook/trig-nope/notify?secret=${wrong()}`;
  const realWrongSecret = () => `/webhook/trig-real/notify?secret=${wrong()}`;

  await measurePairs(connection, unknown, realWrongSecret, WARMUP_PAIRS);
  const main = await measurePairs(connection, unknown, realWrongSecret, PAIRS);
  const control = await measurePairs(connection, unknown, unknown, PAIRS);
  const results = [
    compare('unknown instance vs real instance, wrong secret', main.a, main.b),
    compare('control: unknown vs unknown', control.a, control.b),
  ];

  const us = (x: number) => `${fmt(x, 1)} µs`;
  console.log(machineHeader(machine));
  console.log(
    table([
      [
        'pairs compared',
        'pairs',
        'median A',
        'median B',
        'median B − A',
        '95% interval',
        `aim (0 inside, or within ±${AIM_US} µs)`,
      ],
      ...results.map((r) => [
        r.name,
        String(r.pairs),
        us(r.medianAUs),
        us(r.medianBUs),
        us(r.medianDiffUs),
        `${us(r.ci95Us[0])} … ${us(r.ci95Us[1])}`,
        r.meetsAim ? 'met' : 'NOT met',
      ]),
    ]),
  );
  if (JSON_OUTPUT) console.log(JSON.stringify({ machine, results }));
  if (!results[0]!.meetsAim) process.exitCode = 1;
}

await runBench(main);
