// The guards issue 14 added, on both backends: a sender's idempotency key (claimed by the
// first run, refused with that run inside the window, given back when a later guard refuses
// the unit), GCRA rate limits (the same answers as the in-memory limiter, Retry-After to the
// millisecond), per-key debounce windows forgotten with their instance, and the sweep of
// what expired. On PostgreSQL two stores on one schema stand for two nodes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from '../src/inbound/rate-limiter.js';
import type { Store } from '../src/store/store.js';
import { windowKey, type CommitGuard, type Refusal, type StoreWrite } from '../src/store/writes.js';
import { guardedRow, guardStores } from './support/guard-stores.js';
import { BACKENDS, postgresAvailable, twoStoresOnOneSchema } from './support/postgres.js';

const open = guardStores();

let n = 0;
/** Commits a request row under the guards: `fired` when they pass, else the refusing guard's name. */
function commitUnder(store: Store, guards: CommitGuard[]): Promise<Refusal | undefined> {
  const id = `req_${++n}`;
  const writes: StoreWrite[] = [
    { kind: 'guard', guards, otherwise: (refusal) => [{ kind: 'request', row: guardedRow(id, refusal.guard) }] },
    { kind: 'request', row: guardedRow(id, 'fired') },
  ];
  return store.commit(writes);
}

const key = (run: string, at: number, k = 'delivery-1', windowMs = 60_000): CommitGuard => ({
  kind: 'idempotency',
  key: windowKey('trig-a', k),
  run,
  windowMs,
  at,
});
const rate = (at: number, requests = 3, perMs = 3_000, k = 'trig-a'): CommitGuard => ({
  kind: 'rate',
  key: k,
  requests,
  perMs,
  at,
});
const hold = (at: number, value: string, periodMs = 1_000): CommitGuard => ({
  kind: 'debounce',
  key: windowKey('trig-a', value),
  periodMs,
  mode: 'hold',
  at,
});

describe.each(BACKENDS)('idempotency keys decided in the commit (%s)', (backend) => {
  it('the first request claims the key; a repeat inside the window is refused with the first run; after it, a new claim', async () => {
    const store = await open(backend);
    expect(await commitUnder(store, [key('run_1', 0)])).toBeUndefined();
    expect(await commitUnder(store, [key('run_2', 59_999)])).toEqual({ guard: 'idempotency', run: 'run_1' });
    expect(await commitUnder(store, [key('run_3', 60_000)])).toBeUndefined();
    expect(await commitUnder(store, [key('run_4', 60_001)])).toEqual({ guard: 'idempotency', run: 'run_3' });
    expect(await commitUnder(store, [key('run_5', 1, 'delivery-2')])).toBeUndefined();
  });

  it('gives the key back when a later guard refuses the unit: a request that did not fire holds no key', async () => {
    const store = await open(backend);
    expect(await commitUnder(store, [hold(0, 'cam-1')])).toBeUndefined();
    expect(await commitUnder(store, [key('run_1', 10), hold(10, 'cam-1')])).toEqual({ guard: 'debounce' });
    expect(await commitUnder(store, [key('run_2', 2_000), hold(2_000, 'cam-1')])).toBeUndefined();
    expect(await commitUnder(store, [key('run_3', 2_001)])).toEqual({ guard: 'idempotency', run: 'run_2' });
  });

  it('of 50 concurrent requests with one key, exactly one claims it and the rest name its run', async () => {
    const store = await open(backend);
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => commitUnder(store, [key(`run_${i}`, 5)])));
    const claimed = answers.flatMap((a, i) => (a === undefined ? [`run_${i}`] : []));
    expect(claimed).toHaveLength(1);
    expect(new Set(answers.filter(Boolean).map((a) => a!.run))).toEqual(new Set(claimed));
    const rows = await store.requests.list({ instanceId: 'trig-a', limit: 100 });
    expect(rows.filter((r) => r.outcome === 'fired')).toHaveLength(1);
  });
});

describe.each(BACKENDS)('rate limits decided in the commit (%s)', (backend) => {
  it('admits a burst of `requests`, then one per period/requests, with the exact wait; as the in-memory limiter does', async () => {
    const store = await open(backend);
    const memory = new MemoryRateLimiter();
    const times = [0, 0, 0, 0, 500, 999, 1_000, 1_001, 1_999, 2_000, 5_000, 5_000, 5_000, 5_000];
    const stored: number[] = [];
    const counted: number[] = [];
    for (const at of times) {
      stored.push((await commitUnder(store, [rate(at)]))?.retryAfterMs ?? 0);
      counted.push(memory.take('trig-a', { requests: 3, perMs: 3_000 }, at));
    }
    expect(stored).toEqual([0, 0, 0, 1_000, 500, 1, 0, 999, 1, 0, 0, 0, 0, 1_000]);
    expect(counted).toEqual(stored);
  });

  it('keeps each key apart', async () => {
    const store = await open(backend);
    expect(await commitUnder(store, [rate(0, 1, 60_000, 'trig-a\na')])).toBeUndefined();
    expect(await commitUnder(store, [rate(0, 1, 60_000, 'trig-a\nb')])).toBeUndefined();
    expect(await commitUnder(store, [rate(1, 1, 60_000, 'trig-a\na')])).toEqual({ guard: 'rate', retryAfterMs: 59_999 });
  });
});

describe.each(BACKENDS)('per-key debounce windows and the sweep (%s)', (backend) => {
  it('forgets an instance’s per-key windows with its own when a reload changes it', async () => {
    const store = await open(backend);
    for (const value of ['a', 'b']) expect(await commitUnder(store, [hold(0, value)])).toBeUndefined();
    const other: CommitGuard = { kind: 'debounce', key: windowKey('trig-b', 'a'), periodMs: 1_000, mode: 'hold', at: 0 };
    expect(await commitUnder(store, [other])).toBeUndefined();
    await store.commit([{ kind: 'debounce_forgotten', keys: ['trig-a'] }]);
    for (const value of ['a', 'b']) expect(await commitUnder(store, [hold(10, value)])).toBeUndefined();
    expect(await commitUnder(store, [{ ...other, at: 10 }])).toEqual({ guard: 'debounce' });
  });

  it('sweeps expired keys, limits and windows, and the oldest windows past the cap, changing no decision', async () => {
    const store = await open(backend);
    await commitUnder(store, [key('run_old', 0, 'old', 1_000)]);
    await commitUnder(store, [key('run_new', 0, 'new', 10_000)]);
    await commitUnder(store, [rate(0, 10, 1_000)]);
    for (const [i, value] of ['v1', 'v2', 'v3', 'v4'].entries()) await commitUnder(store, [hold(1_000 * i, value, 2_500)]);
    await store.commit([{ kind: 'keys_swept', at: 3_000, windows: [{ instanceId: 'trig-a', periodMs: 2_500, keep: 2 }] }]);
    const { db } = store.database;
    expect((await db.selectFrom('idempotency_keys').select('key').execute()).map((r) => r.key)).toEqual(['trig-a\nnew']);
    expect(await db.selectFrom('rate_limits').select('key').execute()).toEqual([]);
    const windows = await db.selectFrom('debounce_windows').select('key').orderBy('key').execute();
    expect(windows.map((r) => r.key)).toEqual(['trig-a\nv3', 'trig-a\nv4']);
    // v1 expired (last at 0, period 2.5 s): it fires as it would have; v3 is still inside its window.
    expect(await commitUnder(store, [hold(3_000, 'v1', 2_500)])).toBeUndefined();
    expect(await commitUnder(store, [hold(3_000, 'v3', 2_500)])).toEqual({ guard: 'debounce' });
  });
});

describe.runIf(postgresAvailable)('request guards across two nodes on one PostgreSQL schema', () => {
  let one: Store;
  let two: Store;
  let close: () => Promise<void>;
  beforeAll(async () => void ({ one, two, close } = await twoStoresOnOneSchema()));
  afterAll(() => close());

  it('one key sent 50 times at once through either node fires once (server clock)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => commitUnder(i % 2 ? one : two, [key(`run_${i}`, 0, 'both-nodes')])),
    );
    expect(answers.filter((a) => a === undefined)).toHaveLength(1);
  });

  it('a limit of 5 per hour admits 5 of 40 concurrent requests across both nodes', async () => {
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => commitUnder(i % 2 ? one : two, [rate(0, 5, 3_600_000, 'trig-both')])),
    );
    expect(answers.filter((a) => a === undefined)).toHaveLength(5);
    for (const refused of answers.filter(Boolean)) expect(refused!.retryAfterMs).toBeGreaterThan(0);
  });
});
