// Runs left unfinished by a node are taken over by another: on PostgreSQL (two stores on one
// schema stand for two nodes) only runs whose node stopped or fell silent, each by one node
// however many look at once, saying whose it was; on SQLite (one engine per file) every run
// of an earlier engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { databaseFile, openStore, type Store } from '../src/store/store.js';
import type { RunRow } from '../src/store/writes.js';
import { postgresAvailable, twoStoresOnOneSchema } from './support/postgres.js';

function run(id: string, createdAt: number): RunRow {
  return {
    id,
    instance_id: 'trig-a',
    trigger_id: 't',
    system_id: 's',
    request_id: null,
    created_at: createdAt,
    status: 'pending',
    input: '{}',
    finished_at: null,
    error: null,
    trace: null,
  };
}

async function node(store: Store, id: string, seenAt: number, stoppedAt: number | null = null): Promise<void> {
  await store.commit([
    {
      kind: 'node_seen',
      row: {
        id,
        host: 'h',
        pid: 1,
        url: 'http://h',
        generation: 1,
        config_hash: 'x',
        started_at: 0,
        seen_at: seenAt,
        modules: null,
      },
    },
  ]);
  if (stoppedAt !== null) await store.commit([{ kind: 'node_stopped', id, at: stoppedAt }]);
}

describe('on SQLite, the only engine takes every run of the one before', () => {
  it('takes runs of any other node (and of none), oldest first, and not its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-takeover-'));
    const store = await openStore(databaseFile(dir));
    try {
      await node(store, 'node-old', Date.now());
      await store.commit([
        { kind: 'run', row: run('run-b', 2), node: 'node-old' },
        { kind: 'run', row: run('run-a', 1) },
        { kind: 'run', row: run('run-mine', 3), node: 'node-me' },
      ]);
      const heard: unknown[] = [];
      const taken = await store.runs.takeOver('node-me', Infinity, (t) => heard.push(...t));
      expect(taken.map((r) => r.id)).toEqual(['run-a', 'run-b']);
      expect(taken[0]).toEqual(run('run-a', 1));
      expect(heard).toEqual([{ runId: 'run-b', from: 'node-old' }]);
      expect(await store.runs.takeOver('node-me', Infinity)).toEqual([]);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(postgresAvailable)('on PostgreSQL, two nodes', () => {
  let one: Store;
  let two: Store;
  let close: () => Promise<void>;
  beforeAll(async () => void ({ one, two, close } = await twoStoresOnOneSchema()));
  afterAll(() => close());
  beforeEach(async () => {
    await one.database.db.deleteFrom('runs').execute();
    await one.database.db.deleteFrom('nodes').execute();
  });

  it('takes only the runs of nodes that stopped or fell silent', async () => {
    await node(one, 'node-live', 50_000);
    await node(one, 'node-silent', 1_000);
    await node(one, 'node-stopped', 50_000, 50_000);
    await one.commit([
      { kind: 'run', row: run('run-live', 1), node: 'node-live' },
      { kind: 'run', row: run('run-silent', 2), node: 'node-silent' },
      { kind: 'run', row: run('run-stopped', 3), node: 'node-stopped' },
      { kind: 'run', row: run('run-unknown-node', 4), node: 'node-never-seen' },
    ]);
    const taken = await two.runs.takeOver('node-b', 20_000);
    expect(taken.map((r) => r.id)).toEqual(['run-silent', 'run-stopped', 'run-unknown-node']);
    // Now node-b's: a second look takes nothing, and node-b (live) keeps them from others.
    await node(one, 'node-b', 50_000);
    expect(await one.runs.takeOver('node-c', 20_000)).toEqual([]);
  });

  it('hands each run to one node when several look at once', async () => {
    await node(one, 'node-dead', 0);
    await one.commit(
      Array.from({ length: 30 }, (_, i) => ({ kind: 'run' as const, row: run(`run-${i}`, i), node: 'node-dead' })),
    );
    // Each taker is live (as an engine is before it looks), so none takes from another.
    for (let i = 0; i < 6; i++) await node(one, `node-${i}`, 50_000);
    const takes = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? one : two).runs.takeOver(`node-${i}`, 10_000)));
    const ids = takes.flat().map((r) => r.id);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });
});
