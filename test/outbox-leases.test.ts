// The outbox shared by several nodes (PostgreSQL): two stores on one schema stand for two
// nodes. Due deliveries are leased to one node at a time (concurrent claims never share a
// row), a lease that runs out passes to another node (which hears whose it was), and the
// attempt count fences a late record; on SQLite, the only worker, the fence holds too.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TakenOver } from '../src/store/outbox-repo.js';
import { databaseFile, openStore, type Store } from '../src/store/store.js';
import type { DeliveryRow, StoreWrite } from '../src/store/writes.js';
import { postgresAvailable, twoStoresOnOneSchema } from './support/postgres.js';

function delivery(id: string, due: number, subscription = 'sub-a', url = 'https://a.example/hook'): DeliveryRow {
  return {
    id,
    event_id: 'evt-1',
    subscription_id: subscription,
    url,
    status: 'pending',
    attempts: 0,
    next_attempt_at: due,
    created_at: 0,
    finished_at: null,
    last_status: null,
    last_error: null,
  };
}

async function queue(store: Store, deliveries: DeliveryRow[]): Promise<void> {
  await store.commit([
    { kind: 'event', row: { id: 'evt-1', type: 'trigger.fired', created_at: 0, source: '{}', data: '{}' } },
    ...deliveries.map((row) => ({ kind: 'delivery' as const, row })),
  ]);
}

/** Records a failed attempt (due again later) under the fence of the count it began with. */
async function recordAttempt(store: Store, id: string, beganAt: number): Promise<boolean> {
  const writes: StoreWrite[] = [
    { kind: 'guard', guards: [{ kind: 'attempt_fence', deliveries: [{ id, attempts: beganAt }] }], otherwise: () => [] },
    {
      kind: 'attempt',
      row: { delivery_id: id, attempt: beganAt + 1, started_at: 0, latency_ms: 1, status_code: 500, error: null, response: null },
      delivery: {
        id,
        status: 'pending',
        attempts: beganAt + 1,
        next_attempt_at: 60_000,
        finished_at: null,
        last_status: 500,
        last_error: 'answered 500',
      },
    },
  ];
  return (await store.commit(writes)) === undefined;
}

describe('the attempt fence on SQLite (the only worker)', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-fence-'));
    store = await openStore(databaseFile(dir));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records an attempt begun at the current count, and refuses a second record of the same attempt', async () => {
    await queue(store, [delivery('dlv-1', 0)]);
    expect(await recordAttempt(store, 'dlv-1', 0)).toBe(true);
    expect(await recordAttempt(store, 'dlv-1', 0)).toBe(false);
    expect(await store.outbox.attempts('dlv-1')).toHaveLength(1);
    expect(store.outbox.leases).toBe(false);
  });
});

describe.runIf(postgresAvailable)('the leased outbox on PostgreSQL, two nodes', () => {
  let one: Store;
  let two: Store;
  let close: () => Promise<void>;
  beforeAll(async () => void ({ one, two, close } = await twoStoresOnOneSchema()));
  afterAll(() => close());
  beforeEach(async () => {
    await one.database.db.deleteFrom('delivery_attempts').execute();
    await one.database.db.deleteFrom('deliveries').execute();
    await one.database.db.deleteFrom('events').execute();
    await one.database.db.deleteFrom('nodes').execute();
  });

  it('never leases one delivery to two nodes claiming at once', async () => {
    await queue(
      one,
      Array.from({ length: 40 }, (_, i) => delivery(`dlv-${String(i).padStart(2, '0')}`, i)),
    );
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? one : two).outbox.claim(`node-${i}`, 1_000, 10, 30_000)),
    );
    const ids = claims.flat().map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(40);
    expect(claims[0]![0]).toMatchObject({ type: 'trigger.fired', event_created: 0, data: '{}' });
  });

  it('leases oldest due first, and only what is due', async () => {
    await queue(one, [delivery('dlv-late', 5_000), delivery('dlv-b', 20), delivery('dlv-a', 10)]);
    expect((await one.outbox.claim('node-a', 1_000, 10, 30_000)).map((d) => d.id)).toEqual(['dlv-a', 'dlv-b']);
  });

  it('passes a delivery on once its lease runs out, saying whose it was', async () => {
    await queue(one, [delivery('dlv-1', 0)]);
    expect(await one.outbox.claim('node-a', 100, 10, 1_000)).toHaveLength(1);
    expect(await two.outbox.claim('node-b', 1_099, 10, 1_000)).toHaveLength(0);
    const taken: TakenOver[] = [];
    const claimed = await two.outbox.claim('node-b', 1_100, 10, 1_000, { takenOver: (t) => taken.push(...t) });
    expect(claimed.map((d) => d.id)).toEqual(['dlv-1']);
    expect(taken).toEqual([{ deliveryId: 'dlv-1', from: 'node-a' }]);
  });

  it('passes the leases of a node that stopped or fell silent on at once', async () => {
    await queue(one, [delivery('dlv-1', 0), delivery('dlv-2', 0), delivery('dlv-3', 0)]);
    const node = (id: string, seen: number, stopped: number | null) =>
      one.database.db
        .insertInto('nodes')
        .values({
          id,
          host: 'h',
          pid: 1,
          url: 'u',
          generation: 1,
          config_hash: 'x',
          started_at: 0,
          seen_at: seen,
          stopped_at: stopped,
        })
        .execute();
    await node('node-silent', 1_000, null);
    await node('node-stopped', 50_000, 50_000);
    await node('node-live', 50_000, null);
    // In this order each takes the next free one (a stopped node's lease is free to take).
    for (const owner of ['node-live', 'node-silent', 'node-stopped']) await one.outbox.claim(owner, 0, 1, 60_000);
    const taken = await two.outbox.claim('node-b', 10, 10, 60_000, { silentBefore: 20_000 });
    expect(taken.map((d) => d.id)).toEqual(['dlv-2', 'dlv-3']);
  });

  it('fences a late record: the node whose lease ran out cannot record over the newer attempt', async () => {
    await queue(one, [delivery('dlv-1', 0)]);
    const [late] = await one.outbox.claim('node-a', 0, 1, 1_000);
    const [taker] = await two.outbox.claim('node-b', 2_000, 1, 1_000);
    expect(await recordAttempt(two, taker!.id, taker!.attempts)).toBe(true);
    expect(await recordAttempt(one, late!.id, late!.attempts)).toBe(false);
    expect(await one.outbox.attempts('dlv-1')).toHaveLength(1);
    expect(await one.outbox.get('dlv-1')).toMatchObject({ attempts: 1 });
    const lease = await one.database.db.selectFrom('deliveries').select(['lease_owner', 'lease_until']).executeTakeFirst();
    expect(lease).toEqual({ lease_owner: null, lease_until: null });
  });

  it('decides two records of one attempt arriving together once', async () => {
    await queue(one, [delivery('dlv-1', 0)]);
    const answers = await Promise.all([recordAttempt(one, 'dlv-1', 0), recordAttempt(two, 'dlv-1', 0)]);
    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  it('fills a batch from one subscription’s url only', async () => {
    await queue(one, [
      delivery('dlv-1', 0),
      delivery('dlv-2', 0, 'sub-a', 'https://other.example/hook'),
      delivery('dlv-3', 0, 'sub-b'),
      delivery('dlv-4', 0),
    ]);
    const only = { subscriptionId: 'sub-a', url: 'https://a.example/hook' };
    expect((await one.outbox.claim('node-a', 0, 10, 1_000, { only })).map((d) => d.id)).toEqual(['dlv-1', 'dlv-4']);
  });
});
