// The store conformance suite run against the PostgreSQL store: a schema of its own per
// test, opened the way the engine opens it.
import { describe } from 'vitest';
import { openPostgresStore } from '../../src/store/pg-store.js';
import { freshSchema, POSTGRES_URL, postgresAvailable } from '../support/postgres.js';
import { describeStoreConformance } from './suite.js';

describe.runIf(postgresAvailable)('PostgreSQL', () => {
  describeStoreConformance('PostgreSQL', async () => {
    const { schema, drop } = await freshSchema();
    const store = await openPostgresStore(POSTGRES_URL, { schema });
    return {
      store,
      async cleanup() {
        await store.close();
        await drop();
      },
    };
  });
});
