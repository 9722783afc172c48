// Starts a real engine on a real port with a temporary config directory and SQLite
// file, for end-to-end tests. Config is YAML text, as an operator would write it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/clock.js';
import type { Driver } from '../../src/drivers/api.js';
import { loadDrivers, registryOf } from '../../src/drivers/registry.js';
import { startEngine, type Engine, type EngineOptions } from '../../src/engine.js';
import type { IdSource } from '../../src/ids.js';
import { captureLogs } from './log-capture.js';
import { freshSchema, type Schema } from './postgres.js';

export type Backend = 'sqlite' | 'postgres';

export interface TestEngine {
  engine: Engine;
  dir: string;
  configDir: string;
  dataDir: string;
  logs: ReturnType<typeof captureLogs>;
  /** The PostgreSQL schema it keeps its data in (backend: postgres): another engine on the same data passes it on. */
  postgres?: Schema;
  /** The full URL of a path on the engine. */
  url(path: string): string;
  /** The secret of an instance, generated or configured. */
  secret(instanceId: string): Promise<string>;
  /** Stops the engine (idempotent). */
  stop(): Promise<void>;
  /** Stops, then starts a new engine on the same config and data (a restart). */
  restart(): Promise<TestEngine>;
  cleanup(): Promise<void>;
}

export interface TestEngineOptions {
  files: Record<string, string>;
  extraDrivers?: Driver[];
  clock?: Clock;
  ids?: IdSource;
  env?: NodeJS.ProcessEnv;
  dir?: string;
  /** Store options beyond the config's (a writer that injects faults). */
  store?: EngineOptions['store'];
  /** Where the engine keeps its data: SQLite in the data directory (default), or PostgreSQL in a schema of its own. */
  backend?: Backend;
  /** The PostgreSQL schema of an engine restarted on the same data (restart passes it on). */
  postgres?: Schema;
}

export async function startTestEngine(options: TestEngineOptions): Promise<TestEngine> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  const configDir = join(dir, 'config');
  const dataDir = join(dir, 'data');
  if (!options.dir) {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(configDir);
    for (const [name, text] of Object.entries(options.files)) writeFileSync(join(configDir, name), text);
  }
  // On PostgreSQL: a schema of this engine's own, named by the environment as an operator's platform would.
  const postgres = options.postgres ?? (options.backend === 'postgres' ? await freshSchema() : undefined);
  const env = { ...options.env, ...(postgres ? { SWITCHBOARD_DATABASE: postgres.url } : {}) };
  const shipped = await loadDrivers();
  const registry = registryOf([...shipped.drivers.values(), ...(options.extraDrivers ?? [])]);
  const logs = captureLogs();
  const engine = await startEngine({
    configDir,
    dataDir,
    port: 0,
    adminPort: 0,
    host: '127.0.0.1',
    registry,
    log: logs.log,
    clock: options.clock,
    ids: options.ids,
    // A fake clock decides debounce windows on PostgreSQL too (the server's clock would not move with it).
    store: options.clock ? { engineClock: true, ...options.store } : options.store,
    env,
  });
  const self: TestEngine = {
    engine,
    dir,
    configDir,
    dataDir,
    logs,
    postgres,
    url: (path) => `${engine.url}${path}`,
    async secret(instanceId) {
      const configured = engine.config.instances.find((i) => i.id === instanceId)?.secret;
      if (configured) return configured;
      const row = await engine.store.database.db
        .selectFrom('instance_secrets')
        .select('secret')
        .where('instance_id', '=', instanceId)
        .executeTakeFirstOrThrow();
      return row.secret;
    },
    stop: () => engine.stop(),
    async restart() {
      await engine.stop();
      // The same data directory and schema: whichever engine is cleaned up last drops it.
      return startTestEngine({ ...options, dir, postgres });
    },
    async cleanup() {
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
      await postgres?.drop();
    },
  };
  return self;
}

/** A minimal config: one system with a display, one trigger and one instance. */
export function basicConfig(trigger = '', instance = ''): Record<string, string> {
  return {
    'site.yaml': `
systems:
  - id: sys-room
    modules:
      - driver: display
triggers:
  - id: wake
    actions:
      - call: Display_1.power
        args: { state: true }
${trigger}
instances:
  - id: trig-room
    trigger: wake
    system: sys-room
    secret: room-secret-0123456789
${instance}
`,
  };
}
