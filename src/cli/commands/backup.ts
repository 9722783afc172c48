// `switchboard backup FILE`: a consistent copy of the database, taken while the engine runs
// (no need to stop it, and its fires are not refused meanwhile), checked, then named FILE.
// It reads the database as it is and migrates nothing: a restore gives back that schema.
import { existsSync } from 'node:fs';
import { dataDirOf } from '../../config/data-dir.js';
import { loadConfig } from '../../config/load-config.js';
import { backupDatabase, BackupTargetExists } from '../../store/backup.js';
import { DATABASE_FILE, databaseFile } from '../../store/store.js';
import { configDirOf, storeOptions, UsageError, type OptionSpecs, type OptionValues } from '../options.js';

export const options = { ...storeOptions, force: { type: 'boolean' } } as const satisfies OptionSpecs;

export async function backup(values: OptionValues<typeof options>, positionals: readonly string[] = []): Promise<number> {
  const [target, ...extra] = positionals;
  if (!target) throw new UsageError('backup needs the file to write: switchboard backup FILE');
  if (extra.length > 0) throw new UsageError(`backup takes one file, not ${positionals.length}: switchboard backup FILE`);
  const loaded = loadConfig(configDirOf(values));
  const dataDir = dataDirOf(loaded.config, loaded.dir, values.data);
  if (loaded.config.server.database !== 'sqlite') {
    console.error(
      'switchboard: backup copies the SQLite file; this config keeps its data in PostgreSQL (server.database): ' +
        "back it up with pg_dump, or the server's own backups",
    );
    return 1;
  }
  const file = databaseFile(dataDir);
  if (!existsSync(file)) {
    console.error(
      `switchboard: there is no database in the data directory ${dataDir} (no ${DATABASE_FILE}); ` +
        'the engine or `switchboard migrate` makes it, or pass --data DIR',
    );
    return 1;
  }
  try {
    const copied = await backupDatabase(file, target, { force: values.force === true });
    console.log(`backed up ${copied.from} to ${copied.to}: ${copied.pages} pages, ${size(copied.bytes)}, integrity ok`);
    return 0;
  } catch (error) {
    if (!(error instanceof BackupTargetExists)) throw error;
    console.error(`switchboard: ${error.target} already exists; give --force to replace it`);
    return 1;
  }
}

function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
