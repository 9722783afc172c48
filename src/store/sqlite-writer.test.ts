// Counters written once per instance per transaction: the sums and the latest time are
// what one write per fire would have left, whether the fires share a commit or not.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { databaseFile, openStore, type Store } from './store.js';

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-writer-'));
  store = await openStore(databaseFile(dir));
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('counters', () => {
  it('sums fires and failed actions of one group commit per instance, keeping the latest fire time', async () => {
    await Promise.all([
      store.commit([{ kind: 'fire_counted', instanceId: 'a', at: 300 }]),
      store.commit([
        { kind: 'fire_counted', instanceId: 'a', at: 100 },
        { kind: 'action_error_counted', instanceId: 'a' },
      ]),
      store.commit([{ kind: 'fire_counted', instanceId: 'b', at: 200 }]),
      store.commit([{ kind: 'action_error_counted', instanceId: 'a' }]),
    ]);
    expect(await store.runs.stats('a')).toMatchObject({ trigger_count: 2, last_fired_at: 300, action_errors: 2 });
    expect(await store.runs.stats('b')).toMatchObject({ trigger_count: 1, last_fired_at: 200, action_errors: 0 });
  });

  it('adds to what earlier commits counted, and never moves the last fire time back', async () => {
    await store.commit([{ kind: 'fire_counted', instanceId: 'a', at: 500 }]);
    await store.commit([
      { kind: 'fire_counted', instanceId: 'a', at: 400 },
      { kind: 'fire_counted', instanceId: 'a', at: 450 },
    ]);
    expect(await store.runs.stats('a')).toMatchObject({ trigger_count: 3, last_fired_at: 500 });
  });
});
