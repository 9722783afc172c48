// The store conformance suite run against the PostgreSQL store, opened the way the engine
// opens it, in a schema of this file's own. Migrating a schema per test would cost most of
// the suite's time, so the schema is migrated once and emptied before each test instead.
import { afterAll, beforeAll, describe } from 'vitest';
import { openPostgresStore } from '../../src/store/pg-store.js';
import { adminQuery, freshSchema, postgresAvailable } from '../support/postgres.js';
import { describeStoreConformance } from './suite.js';

describe.runIf(postgresAvailable)('PostgreSQL', () => {
  let schema: Awaited<ReturnType<typeof freshSchema>>;
  beforeAll(async () => {
    schema = await freshSchema();
    await (await openPostgresStore(schema.url)).close();
  });
  afterAll(async () => schema.drop());

  describeStoreConformance('PostgreSQL', async () => {
    const tables = await adminQuery(
      `select tablename from pg_tables where schemaname = '${schema.schema}' and tablename not like 'kysely_%'`,
    );
    const names = tables.rows.map((r: { tablename: string }) => `"${schema.schema}"."${r.tablename}"`);
    await adminQuery(`truncate ${names.join(', ')} restart identity`);
    const store = await openPostgresStore(schema.url);
    return { store, cleanup: () => store.close() };
  });
});
