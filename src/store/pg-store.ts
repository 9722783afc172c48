// The store on PostgreSQL: the same repositories (Kysely writes portable SQL), the same
// typed writes through the same group commit, applied by a writer with a connection of
// its own. Chosen by `server.database: postgres://…`; SQLite stays the default.
import { sql } from 'kysely';
import { migratePostgres, openPostgres, postgresPool, type PostgresOptions } from './pg-database.js';
import { PostgresRetention } from './pg-retention.js';
import { PostgresWriter } from './pg-writer.js';
import { repositories } from './repositories.js';
import { DEFAULT_LOCK_WAIT_MS, type Store, type StoreOptions } from './store.js';
import { StoreHealth } from './store-health.js';
import { WriteBatcher } from './write-batcher.js';
import type { StoreWrite } from './writes.js';

export interface PostgresStoreOptions
  extends Pick<StoreOptions, 'lockWaitMs' | 'wrapWriter' | 'maintenance' | 'engineClock'>, PostgresOptions {}

/** How often readiness asks the server whether a write could start (it answers with the last answer meanwhile). */
const PROBE_EVERY_MS = 1_000;

export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const onIdleError = (error: Error) =>
    options.maintenance?.onProblem(`a PostgreSQL connection failed while idle: ${error.message}`);
  const database = await openPostgres(url, { ...options, onIdleError });
  try {
    await migratePostgres(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const writer = new PostgresWriter(postgresPool(url, { max: 1, onIdleError }), { engineClock: options.engineClock });
  const health = new StoreHealth(Date.now);
  const applier = options.wrapWriter ? options.wrapWriter(writer) : writer;
  const batcher = new WriteBatcher(applier, health, options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS);
  const probe = new Probe(() => writer.probe());
  await probe.run();
  let closing: Promise<void> | undefined;
  return {
    database,
    ...repositories(database.db),
    retention: new PostgresRetention(database.db),
    health,
    commit: (writes: readonly StoreWrite[]) => batcher.commit(writes),
    readiness: () => health.readiness(() => probe.lastAnswer()),
    async sizeBytes() {
      const { rows } = await sql<{ bytes: number }>`select pg_database_size(current_database()) as bytes`.execute(database.db);
      return rows[0]?.bytes ?? 0;
    },
    neverBlock: () => database.neverBlock(),
    close: () =>
      (closing ??= (async () => {
        await batcher.close();
        await probe.settled();
        await writer.close();
        await database.close();
      })()),
  };
}

/**
 * Readiness is asked synchronously, a server answers later: each ask starts a probe (at
 * most one a second) and is answered with the last probe's outcome.
 */
class Probe {
  private last: unknown;
  private running: Promise<void> | undefined;
  private at = 0;

  constructor(private readonly ask: () => Promise<void>) {}

  run(): Promise<void> {
    this.at = Date.now();
    return (this.running ??= this.ask()
      .then(
        () => void (this.last = undefined),
        (error: unknown) => void (this.last = error),
      )
      .finally(() => (this.running = undefined)));
  }

  /** Throws the last probe's error; starts the next probe when the last is old enough. */
  lastAnswer(): void {
    if (!this.running && Date.now() - this.at >= PROBE_EVERY_MS) void this.run();
    if (this.last !== undefined) throw this.last;
  }

  settled(): Promise<void> {
    return this.running ?? Promise.resolve();
  }
}
