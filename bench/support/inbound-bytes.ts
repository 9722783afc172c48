// The inbound bench's stored-bytes phase: what one fire with a 1 KB JSON body leaves in the
// database, on a fresh engine so nothing else is counted. The fires are sent, every run is
// waited for, the engine is stopped (its last writes and checkpoint done), and then the
// pages in use are read from dbstat and divided by the number of fires.
import type { DriverRegistry } from '../../src/drivers/registry.js';
import { fmt } from './format.js';
import { countBy, drain, startBenchEngine, total, type BenchSecrets } from './inbound-engine.js';
import type { StoredBytesPhase } from './inbound-results.js';
import { closers } from './lifecycle.js';
import { failuresOf, timedRun } from './load.js';
import { log } from './log.js';
import { FIRE_PATH } from './node-red.js';
import { GUARDS, withGuardId } from './settings.js';
import { fileBytes, storedBytes } from './stored-bytes.js';

/** The body of each fire: JSON of exactly `bytes` bytes, shaped like a sensor report. */
export function jsonBody(bytes: number): string {
  const base = { event: 'motion', zone: 'lobby', sensor: 'pir-3', value: 1, at: '2026-11-26T12:00:00.000Z', note: '' };
  const pad = bytes - JSON.stringify(base).length;
  if (pad < 0) throw new Error(`a body of ${bytes} bytes is too small`);
  // Varied characters (SQLite does not compress, but a reader should not think it could).
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  base.note = Array.from({ length: pad }, (_, i) => alphabet[(i * 7) % alphabet.length]).join('');
  return JSON.stringify(base);
}

export async function storedBytesPhase(options: {
  dir: string;
  secrets: BenchSecrets;
  registry: DriverRegistry;
  notes: string[];
  requests: number;
  workers: number;
  connections: number;
}): Promise<StoredBytesPhase> {
  const { requests } = options;
  const body = withGuardId(jsonBody(1024));
  const started = await startBenchEngine({ ...options, name: 'bytes', wantExec: false, maxConnections: 4096 });
  const { engine, databaseFile } = started;
  closers.push(() => engine.stop());
  const wal = `${databaseFile}-wal`;

  let unavailable: string | undefined;
  let freshBytes = NaN;
  try {
    freshBytes = storedBytes(databaseFile).total;
  } catch (error) {
    unavailable = (error as Error).message;
  }

  log(`stored bytes: ${requests} fires with a ${body.length}-byte body on a fresh engine`);
  const run = await timedRun(
    {
      name: 'fire (1 KB body)',
      url: `${engine.url}${FIRE_PATH}?secret=${options.secrets.fire}`,
      method: 'POST',
      body,
      idReplacement: GUARDS,
      headers: { 'content-type': 'application/json' },
    },
    { connections: options.connections, workers: options.workers, pipelining: 1 },
    'stored bytes',
    { amount: requests },
  );
  const problems = failuresOf(run, 'fires');
  if (!(await drain(engine))) problems.push('runs still in flight after 60 s');
  const runs = await countBy(engine, 'runs', 'trig-bench');
  const logged = await countBy(engine, 'request_log', 'trig-bench');
  const runsRecorded = total(runs);
  if (runsRecorded < run.ok2xx) problems.push(`${run.ok2xx} responses were 202 but only ${runsRecorded} runs are recorded`);
  if ((runs.succeeded ?? 0) !== runsRecorded) problems.push(`not every run succeeded: ${JSON.stringify(runs)}`);
  const running = { fileBytes: fileBytes(databaseFile), walBytes: fileBytes(wal) };
  await engine.stop();
  const stopped = { fileBytes: fileBytes(databaseFile), walBytes: fileBytes(wal) };

  let stored;
  if (unavailable === undefined) {
    try {
      stored = storedBytes(databaseFile);
    } catch (error) {
      unavailable = (error as Error).message;
    }
  }
  const bytesPerFire = stored ? stored.total / requests : NaN;
  log(`stored bytes: ${fmt(bytesPerFire, 0)} per fire`);
  return {
    requests,
    bodyBytes: body.length,
    accepted202: run.ok2xx,
    runsRecorded,
    runsSucceeded: runs.succeeded ?? 0,
    requestsLogged: total(logged),
    reqPerSec: run.requests / run.seconds,
    othersCpu: run.othersCpu,
    freshBytes,
    ...(stored ? { stored } : {}),
    bytesPerFire,
    growthPerFire: stored ? (stored.total - freshBytes) / requests : NaN,
    running,
    stopped,
    problems,
    flagged: problems.length > 0,
    ...(unavailable !== undefined ? { unavailable } : {}),
  };
}
