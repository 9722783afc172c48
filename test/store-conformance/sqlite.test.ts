// The store conformance suite run against the SQLite store: a fresh data directory per
// test, opened the way the engine opens it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseFile, openStore } from '../../src/store/store.js';
import { describeStoreConformance } from './suite.js';

describeStoreConformance('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-conformance-'));
  const store = await openStore(databaseFile(dir));
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
