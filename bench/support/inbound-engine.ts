// The inbound bench's engine: a real one (startEngine) on a temp config dir and data dir with
// the shipped drivers, one fire trigger and, when the meraki driver loads, one exec trigger;
// plus the waits and row counts the bench checks its results with.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadDrivers, registryOf, type DriverRegistry } from '../../src/drivers/registry.js';
import { startEngine, type Engine } from '../../src/engine.js';
import { createLogger } from '../../src/logger.js';
import { databaseFile } from '../../src/store/store.js';
import { HOST } from './listen.js';
import { GUARDS, LOG_LEVEL } from './settings.js';

export interface BenchSecrets {
  fire: string;
  exec: string;
  merakiValidator: string;
  merakiSecret: string;
}

export interface BenchEngine {
  engine: Engine;
  /** Whether the exec trigger (the meraki module) is configured. */
  exec: boolean;
  /** The SQLite file in the engine's data dir. */
  databaseFile: string;
}

const DRAIN_TIMEOUT_MS = 60_000;

function configYaml(s: BenchSecrets, withMeraki: boolean, maxConnections: number, moduleCall = true): string {
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
  // The load generator is one client with many connections: the bench sets its own caps,
  // high enough for its largest round (every connection from 127.0.0.1).
  return `server:
  host: ${HOST}
  port: 0
  durability: normal
  shutdown_timeout: 10s
  max_connections: ${maxConnections}
  max_connections_per_address: ${maxConnections}

systems:
  - id: sys-bench
    modules:
      - driver: display${withMeraki ? meraki : ''}

triggers:
  - id: bench-fire
    methods: [POST]${GUARDS ? '\n    idempotency: { key: "{{ body.id }}", window: 1h }\n    rate_limit: { requests: 1000000, per: 1s }' : ''}
    actions:${moduleCall ? '\n      - call: Display_1.power\n        args: { state: true }' : ' []'}${withMeraki ? merakiTrigger : ''}

instances:
  - id: trig-bench
    trigger: bench-fire
    system: sys-bench
    secret: "${s.fire}"${withMeraki ? merakiInstance : ''}
`;
}

/** The shipped drivers; a folder that fails to load (one being written, say) is noted, not fatal. */
export async function benchRegistry(notes: string[]): Promise<DriverRegistry> {
  const shipped = await loadDrivers();
  for (const failure of shipped.failures) notes.push(`driver folder ${failure.folder} could not be loaded: ${failure.reason}`);
  const registry = registryOf(shipped.drivers);
  if (!registry.get('display')) throw new Error('the display driver is not available; the fire path needs it');
  return registry;
}

/**
 * Starts an engine in `dir/name` (config and a fresh data dir). With `wantExec`, tries the
 * meraki module first and falls back to the fire trigger alone, saying why in `notes`.
 */
export async function startBenchEngine(options: {
  dir: string;
  name: string;
  secrets: BenchSecrets;
  registry: DriverRegistry;
  wantExec: boolean;
  maxConnections: number;
  notes: string[];
  /** A PostgreSQL URL to keep the data in instead of SQLite. */
  database?: string;
  /** False: the fire's trigger has no action (the cluster bench, to tell forwarding's cost from the rest). */
  moduleCall?: boolean;
}): Promise<BenchEngine> {
  const { dir, name, secrets, registry, notes } = options;
  const log = createLogger({ level: LOG_LEVEL });
  const start = async (withMeraki: boolean, attempt: string): Promise<BenchEngine> => {
    const configDir = join(dir, `${name}-${attempt}`, 'config');
    const dataDir = join(dir, `${name}-${attempt}`, 'data');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, 'bench.yaml'), configYaml(secrets, withMeraki, options.maxConnections, options.moduleCall));
    const env = options.database ? { SWITCHBOARD_DATABASE: options.database } : {};
    const engine = await startEngine({ configDir, dataDir, port: 0, host: HOST, registry, log, env });
    return { engine, exec: withMeraki, databaseFile: databaseFile(dataDir) };
  };
  if (!options.wantExec) return start(false, 'fire-only');
  if (registry.get('meraki')) {
    try {
      return await start(true, 'with-meraki');
    } catch (error) {
      notes.push(`engine with the meraki module did not start, exec path skipped: ${(error as Error).message}`);
    }
  } else {
    notes.push('the meraki driver is not available (drivers/meraki/driver.ts missing or failing), exec path skipped');
  }
  return start(false, 'fire-only');
}

/**
 * Waits until the runs fired so far have finished and their outcomes are committed, so the
 * next target starts quiet and the rows can be counted; false when that takes over a minute.
 */
export async function drain(engine: Engine): Promise<boolean> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  while (engine.executor.inFlight > 0) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  // The deadline's timer must not keep the process alive once the engine has settled.
  const late = sleep(Math.max(0, deadline - Date.now()), false, { ref: false });
  return Promise.race([engine.settled().then(() => true), late]);
}

/** Row counts by status (runs) or by outcome (request log), for one instance. */
export async function countBy(
  engine: Engine,
  table: 'runs' | 'request_log',
  instanceId: string,
): Promise<Record<string, number>> {
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

/** The sum of a countBy result. */
export function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}
