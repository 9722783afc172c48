// The guards a fire commits under, on both backends: debounce windows (hold and throttle at
// their exact millisecond boundaries, independent keys, forgetting) and schedule claims,
// each decided in the commit; a refused unit commits its `otherwise` writes instead. On
// PostgreSQL two stores on one schema stand for two nodes: concurrent commits through both
// are decided once, and the server's clock (not the engine's) decides windows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/store/store.js';
import type { CommitGuard, StoreWrite } from '../src/store/writes.js';
import { guardedRow as row, guardStores } from './support/guard-stores.js';
import { BACKENDS, postgresAvailable, twoStoresOnOneSchema } from './support/postgres.js';

const open = guardStores();

let n = 0;
/** Commits a request row under the guard: `fired` when it passes, `debounced` (its otherwise) when it does not. */
async function guarded(store: Store, guard: CommitGuard): Promise<boolean> {
  const id = `req_${++n}`;
  const writes: StoreWrite[] = [
    { kind: 'guard', guards: [guard], otherwise: () => [{ kind: 'request', row: row(id, 'debounced') }] },
    { kind: 'request', row: row(id, 'fired') },
  ];
  return (await store.commit(writes)) === undefined;
}

const window = (at: number, mode: 'hold' | 'throttle', periodMs = 1_000, key = 'k'): CommitGuard => ({
  kind: 'debounce',
  key,
  periodMs,
  mode,
  at,
});

describe.each(BACKENDS)('debounce windows decided in the commit (%s)', (backend) => {
  it('hold: debounces at period - 1 ms, each debounced request extends the window, fires after a whole quiet period', async () => {
    const store = await open(backend);
    const admit = (at: number) => guarded(store, window(at, 'hold'));
    expect(await admit(0)).toBe(true);
    expect(await admit(999)).toBe(false);
    expect(await admit(1_998)).toBe(false); // 999 after the last request, which extended the window
    expect(await admit(2_998)).toBe(true); // a whole period of quiet
    expect(await admit(2_998)).toBe(false); // the same instant
  });

  it('throttle: at most one fire per period; debounced requests do not extend it', async () => {
    const store = await open(backend);
    const fired: number[] = [];
    for (let t = 0; t <= 3_000; t += 100) if (await guarded(store, window(t, 'throttle'))) fired.push(t);
    expect(fired).toEqual([0, 1_000, 2_000, 3_000]);
  });

  it('keeps each key’s window apart, and forgets the ones a reload changed', async () => {
    const store = await open(backend);
    expect(await guarded(store, window(0, 'hold', 1_000, 'a'))).toBe(true);
    expect(await guarded(store, window(600, 'hold', 1_000, 'b'))).toBe(true);
    expect(await guarded(store, window(600, 'hold', 1_000, 'a'))).toBe(false);
    await store.commit([{ kind: 'debounce_forgotten', keys: ['a'] }]);
    expect(await guarded(store, window(700, 'hold', 1_000, 'a'))).toBe(true);
    expect(await guarded(store, window(700, 'hold', 1_000, 'b'))).toBe(false);
  });

  it('commits the refused unit’s otherwise writes instead of its own', async () => {
    const store = await open(backend);
    await guarded(store, window(0, 'hold'));
    await guarded(store, window(1, 'hold'));
    const rows = await store.requests.list({ instanceId: 'trig-a', limit: 10 });
    expect(rows.map((r) => r.outcome).sort()).toEqual(['debounced', 'fired']);
  });

  it('decides a batch of concurrent commits one after another: exactly one passes', async () => {
    const store = await open(backend);
    const answers = await Promise.all(Array.from({ length: 50 }, () => guarded(store, window(5, 'hold'))));
    expect(answers.filter(Boolean)).toHaveLength(1);
  });
});

describe.each(BACKENDS)('schedule claims (%s)', (backend) => {
  const claim = (at: number, claimedAt = at): CommitGuard => ({
    kind: 'schedule_claim',
    instanceId: 'trig-a',
    condition: 0,
    at,
    claimedAt,
  });

  it('lets one commit claim a time; the same time again is refused, the next one passes', async () => {
    const store = await open(backend);
    expect(await guarded(store, claim(1_000))).toBe(true);
    expect(await guarded(store, claim(1_000))).toBe(false);
    expect(await guarded(store, claim(2_000))).toBe(true);
    expect(
      await guarded(store, { kind: 'schedule_claim', instanceId: 'trig-a', condition: 1, at: 2_000, claimedAt: 2_000 }),
    ).toBe(true);
  });

  it('drops a schedule’s claims once they are a day old', async () => {
    const store = await open(backend);
    await guarded(store, claim(1_000));
    await guarded(store, claim(1_000 + 86_400_001));
    const kept = await store.database.db.selectFrom('schedule_claims').select('due_at').execute();
    expect(kept.map((r) => Number(r.due_at))).toEqual([1_000 + 86_400_001]);
  });

  it('keeps a caught-up claim a day from when it was made, however old its time', async () => {
    // A catch-up (misfire: all) claims times days apart at once: the newest must not drop the others.
    const store = await open(backend);
    const now = 10 * 86_400_000;
    for (const day of [1, 2, 3]) expect(await guarded(store, claim(day * 86_400_000, now))).toBe(true);
    expect(await guarded(store, claim(86_400_000, now + 5_000))).toBe(false);
    // A day after they were made, a newer claim takes them away.
    expect(await guarded(store, claim(now + 86_400_001, now + 86_400_001))).toBe(true);
    const kept = await store.database.db.selectFrom('schedule_claims').select('due_at').execute();
    expect(kept.map((r) => Number(r.due_at))).toEqual([now + 86_400_001]);
  });
});

describe.runIf(postgresAvailable)('two nodes on one PostgreSQL schema', () => {
  let one: Store;
  let two: Store;
  let close: () => Promise<void>;
  beforeAll(async () => void ({ one, two, close } = await twoStoresOnOneSchema()));
  afterAll(() => close());

  it('admits exactly one of 100 concurrent requests through either node (hold, server clock)', async () => {
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => guarded(i % 2 ? one : two, window(0, 'hold', 3_600_000, 'both'))),
    );
    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it('decides by the server’s clock: an engine clock two hours on does not open the window', async () => {
    expect(await guarded(one, window(0, 'throttle', 3_600_000, 'clock'))).toBe(true);
    expect(await guarded(two, window(7_200_000, 'throttle', 3_600_000, 'clock'))).toBe(false);
  });

  it('lets exactly one node claim each schedule time', async () => {
    const times = [1_000, 2_000, 3_000];
    const answers = await Promise.all(
      times.flatMap((at) =>
        [one, two, one, two].map((store) =>
          guarded(store, { kind: 'schedule_claim', instanceId: 'trig-both', condition: 0, at, claimedAt: at }),
        ),
      ),
    );
    expect(answers.filter(Boolean)).toHaveLength(times.length);
  });
});
