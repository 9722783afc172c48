// Stores for the guard suites: an empty one on either backend (PostgreSQL deciding by the
// engine's clock unless asked not to), closed and removed after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { openPostgresStore } from '../../src/store/pg-store.js';
import { databaseFile, openStore, type Store } from '../../src/store/store.js';
import type { RequestLogRow } from '../../src/store/writes.js';
import { freshSchema } from './postgres.js';

/** Opens stores for the calling suite; each is closed (and its files or schema removed) after every test. */
export function guardStores(): (backend: 'sqlite' | 'postgres', engineClock?: boolean) => Promise<Store> {
  const stores: Store[] = [];
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  return async (backend, engineClock = true) => {
    let store: Store;
    if (backend === 'postgres') {
      const schema = await freshSchema();
      cleanups.push(() => schema.drop());
      store = await openPostgresStore(schema.url, { engineClock });
    } else {
      const dir = mkdtempSync(join(tmpdir(), 'switchboard-guards-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      store = await openStore(databaseFile(dir));
    }
    stores.push(store);
    return store;
  };
}

/** A request-log row of trig-a with the outcome the guard's decision gave it. */
export function guardedRow(id: string, outcome: string): RequestLogRow {
  return {
    id,
    instance_id: 'trig-a',
    received_at: 0,
    method: 'POST',
    path: '/webhook/trig-a/notify',
    headers: '{}',
    body: null,
    body_size: 0,
    body_truncated: 0,
    status: 202,
    outcome,
    run_id: null,
    latency_ms: 0,
    reason: null,
    client_ip: null,
  };
}
