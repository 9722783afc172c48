// `switchboard migrate-store --to postgres://…`: moves a SQLite database into PostgreSQL.
// The engine must be stopped (what it wrote after the copy would be left behind). Both
// schemas are brought up to date, every table is copied in one transaction on the target
// with a progress bar, and the rows of each table are counted on both sides; a target that
// already holds rows is refused unless --force, which empties it first, and so is a target
// engine nodes run on (a live heartbeat in its nodes table).
import { SingleBar } from 'cli-progress';
import { dataDirOf } from '../../config/data-dir.js';
import { loadConfig } from '../../config/load-config.js';
import { openSqlite } from '../../store/database.js';
import { runningEngine } from '../../store/engine-address.js';
import { copyStore, TargetNotEmpty } from '../../store/copy-store.js';
import { migrateToLatest } from '../../store/migrate.js';
import { migratePostgres, openPostgres, printableUrl } from '../../store/pg-database.js';
import { ClusterRepo } from '../../store/cluster-repo.js';
import { LIVE_WITHIN_MS } from '../../store/node-liveness.js';
import { databaseFile } from '../../store/store.js';
import { configDirOf, storeOptions, UsageError, type OptionSpecs, type OptionValues } from '../options.js';

export const options = {
  ...storeOptions,
  to: { type: 'string', value: 'URL' },
  force: { type: 'boolean' },
} as const satisfies OptionSpecs;

export async function migrateStore(values: OptionValues<typeof options>): Promise<number> {
  const url = values.to;
  if (!url || !/^postgres(ql)?:\/\/./.test(url))
    throw new UsageError('migrate-store needs --to postgres://user:password@host:5432/database');
  const loaded = loadConfig(configDirOf(values));
  if (loaded.config.server.database !== 'sqlite') {
    console.error(
      'switchboard: this config already keeps its data in PostgreSQL (server.database); there is no SQLite database to move',
    );
    return 1;
  }
  const dataDir = dataDirOf(loaded.config, loaded.dir, values.data);
  const engine = runningEngine(dataDir);
  if (engine) {
    console.error(
      `switchboard: an engine (pid ${engine.pid}) is running on ${dataDir}; stop it first, or what it writes after the copy is left behind`,
    );
    return 1;
  }
  const file = databaseFile(dataDir);
  const source = openSqlite(file, loaded.config.server.durability);
  const target = await openPostgres(url);
  const bar = new SingleBar({
    format: 'copying {bar} {percentage}% | {value}/{total} rows | {table}',
    stream: process.stderr,
    hideCursor: true,
    // Without a terminal (CI, a pipe), a line every few seconds instead of a redrawn bar.
    noTTYOutput: true,
    notTTYSchedule: 2_000,
  });
  try {
    await migrateToLatest(source.db);
    await migratePostgres(target);
    // Engines on the target would write beside the copy (start them once it is done).
    const live = await new ClusterRepo(target.db).liveNodes(Date.now() - LIVE_WITHIN_MS);
    if (live.length > 0) {
      console.error(
        `switchboard: engine nodes run on the target database (${live.map((n) => `${n.id} at ${n.url}`).join(', ')}); stop them first`,
      );
      return 1;
    }
    const counts = await copyStore(source.db, target.db, {
      replace: values.force === true,
      onStart: (total) => bar.start(total, 0, { table: '' }),
      onProgress: (table, copied) => bar.update(copied, { table }),
    });
    bar.stop();
    const width = Math.max(...counts.map((c) => c.table.length));
    for (const c of counts)
      console.log(
        `${c.table.padEnd(width)}  ${String(c.source).padStart(9)} → ${String(c.target).padStart(9)}${c.source === c.target ? '' : '  MISMATCH'}`,
      );
    if (counts.some((c) => c.source !== c.target)) {
      console.error('switchboard: the counts differ; the SQLite database is unchanged, check the target before using it');
      return 1;
    }
    const rows = counts.reduce((sum, c) => sum + c.source, 0);
    console.log(`copied ${rows} rows from ${file} to ${printableUrl(url)}; every count matches.`);
    console.log('Next: set server.database to that URL in the config (with ${ENV} for the password), then start the engine.');
    return 0;
  } catch (error) {
    bar.stop();
    if (!(error instanceof TargetNotEmpty)) throw error;
    console.error(`switchboard: ${error.message}; give --force to empty it and copy again`);
    return 1;
  } finally {
    await source.close();
    await target.close();
  }
}
