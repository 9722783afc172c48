// The store: the database and its repositories, opened and migrated together.
import { join, resolve } from 'node:path';
import { openSqlite, type Database, type Durability } from './database.js';
import { migrateToLatest } from './migrate.js';
import { OutboxRepo } from './outbox-repo.js';
import { RequestLogRepo } from './request-log-repo.js';
import { RetentionRepo } from './retention-repo.js';
import { RunsRepo } from './runs-repo.js';
import { ScheduleRepo } from './schedule-repo.js';
import { SecretsRepo } from './secrets-repo.js';

export interface Store {
  readonly database: Database;
  readonly secrets: SecretsRepo;
  readonly requests: RequestLogRepo;
  readonly runs: RunsRepo;
  readonly outbox: OutboxRepo;
  readonly schedules: ScheduleRepo;
  readonly retention: RetentionRepo;
  close(): Promise<void>;
}

export const DATABASE_FILE = 'switchboard.db';

export function databaseFile(dataDir: string): string {
  return join(resolve(dataDir), DATABASE_FILE);
}

export async function openStore(file: string, durability: Durability = 'normal'): Promise<Store> {
  const database = openSqlite(file, durability);
  await migrateToLatest(database.db);
  return {
    database,
    secrets: new SecretsRepo(database.db),
    requests: new RequestLogRepo(database),
    runs: new RunsRepo(database),
    outbox: new OutboxRepo(database),
    schedules: new ScheduleRepo(database),
    retention: new RetentionRepo(database.db),
    close: () => database.close(),
  };
}
