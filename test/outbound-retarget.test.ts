// `switchboard deliveries --retarget SUBSCRIPTION`: after a subscription's url changes, its
// queued deliveries (which keep the url they were made with) are moved to the new url, due at
// once, and a running engine sends them there with the same event id.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { retarget } from '../src/cli/commands/retarget.js';
import { UsageError } from '../src/cli/options.js';
import { loadConfig } from '../src/config/load-config.js';
import { databaseFile, openStore, type Store } from '../src/store/store.js';
import type { DeliveryRow } from '../src/store/writes.js';
import { runCli } from './support/cli-process.js';
import { Receiver } from './support/receiver.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'whsec_' + Buffer.from('retarget-test-signing-key-012345').toString('base64');
const TRIGGER_SECRET = 'retarget-trigger-secret-01';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

function site(url: string): string {
  return `
outbound:
  allow: [127.0.0.1]
systems:
  - id: sys-room
    modules: [{ driver: display }]
triggers:
  - id: wake
    actions:
      - call: Display_1.power
        args: { state: true }
instances:
  - { id: trig-room, trigger: wake, system: sys-room, secret: ${TRIGGER_SECRET} }
subscriptions:
  - { id: sub-ops, url: "${url}", events: [trigger.fired], secret: "${SECRET}", retry: [0s, 1h] }
  - { id: sub-other, url: "https://other.example.com/in", events: [nothing.heard] }
`;
}

async function fire(t: TestEngine): Promise<void> {
  const response = await fetch(t.url(`/webhook/trig-room/notify?secret=${TRIGGER_SECRET}`), { method: 'POST' });
  expect(response.status).toBe(202);
}

async function receiverOf(answer: Receiver['fallback']): Promise<Receiver> {
  const receiver = await new Receiver().start();
  receiver.fallback = answer;
  cleanups.push(() => receiver.close());
  return receiver;
}

describe('deliveries --retarget, end to end', () => {
  it('moves a queued delivery to the new url, where the running engine sends it with the same event id', async () => {
    const before = await receiverOf({ status: 500, body: 'old endpoint is gone' });
    const after = await receiverOf({ status: 200, body: 'ok' });
    let t = await startTestEngine({ files: { 'site.yaml': site(before.url('/old')) } });
    cleanups.push(() => t.cleanup());

    await fire(t);
    const [first] = await before.waitFor(1);
    await t.engine.outbound.worker.idle();
    // Failed once; the next attempt is an hour away, still to the old url.
    const [queued] = await t.engine.store.outbox.list({ subscriptionId: 'sub-ops' });
    expect(queued).toMatchObject({ status: 'pending', attempts: 1, url: before.url('/old') });
    expect(Number(queued!.next_attempt_at)).toBeGreaterThan(Date.now() + 30 * 60_000);

    // The operator changes the url and restarts: queued deliveries keep the old one.
    writeFileSync(join(t.configDir, 'site.yaml'), site(after.url('/new')));
    t = await t.restart();
    expect((await t.engine.store.outbox.get(queued!.id))?.url).toBe(before.url('/old'));

    // The CLI, as its own process beside the running engine.
    const cli = await runCli(['deliveries', '--config', t.configDir, '--data', t.dataDir, '--retarget', 'sub-ops']);
    expect(cli.code).toBe(0);
    expect(cli.stdout.split('\n').filter(Boolean)).toEqual([
      `sub-ops: moved 1 pending delivery to ${after.url('/new')}, due now`,
      `  1 from ${before.url('/old')}`,
      expect.stringMatching(/^a running engine sends them within a second/),
    ]);

    const [moved] = await after.waitFor(1);
    expect(moved!.path).toBe('/new');
    expect(moved!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(JSON.parse(moved!.body)).toMatchObject({ type: 'trigger.fired', attempt: 2 });
    await t.engine.outbound.worker.idle();
    expect(await t.engine.store.outbox.get(queued!.id)).toMatchObject({
      status: 'succeeded',
      attempts: 2,
      url: after.url('/new'),
    });
    expect(before.requests).toHaveLength(1);

    // Nothing is left to move.
    const again = await runCli(['deliveries', '--config', t.configDir, '--data', t.dataDir, '--retarget', 'sub-ops']);
    expect(again.stdout.trim()).toBe('sub-ops: no pending deliveries, nothing to move');
  });

  it('names the subscriptions when the one asked for is not in the config', async () => {
    const receiver = await receiverOf({ status: 200 });
    const t = await startTestEngine({ files: { 'site.yaml': site(receiver.url()) } });
    cleanups.push(() => t.cleanup());
    const cli = await runCli(['deliveries', '--config', t.configDir, '--data', t.dataDir, '--retarget', 'sub-nope']);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toMatch(/no subscription "sub-nope" in the config; subscriptions: sub-ops, sub-other/);
  });
});

describe('retarget, on the store', () => {
  const NOW = 1_800_000_000_000;
  const NEW_URL = 'https://new.example.com/hooks';

  async function storeWith(rows: Partial<DeliveryRow>[]): Promise<{ store: Store; config: ReturnType<typeof loadConfig> }> {
    const root = mkdtempSync(join(tmpdir(), 'switchboard-retarget-'));
    mkdirSync(join(root, 'config'));
    writeFileSync(join(root, 'config', 'site.yaml'), site(NEW_URL));
    const store = await openStore(databaseFile(join(root, 'data')));
    cleanups.push(async () => {
      await store.close();
      rmSync(root, { recursive: true, force: true });
    });
    await store.commit([
      { kind: 'event', row: { id: 'evt_1', type: 'trigger.fired', created_at: NOW, source: '{}', data: '{}' } },
      ...rows.map((row, i) => ({
        kind: 'delivery' as const,
        row: {
          id: `dlv_${i}`,
          event_id: 'evt_1',
          subscription_id: 'sub-ops',
          url: 'https://old.example.com/a',
          status: 'pending' as const,
          attempts: 1,
          next_attempt_at: NOW + 3_600_000,
          created_at: NOW,
          finished_at: null,
          last_status: 500,
          last_error: 'answered 500',
          ...row,
        },
      })),
    ]);
    return { store, config: loadConfig(join(root, 'config'), {}) };
  }

  const urls = async (store: Store) =>
    Object.fromEntries(
      (await store.outbox.list({ limit: 100 })).map((d) => [d.id, [d.status, d.url, Number(d.next_attempt_at)]]),
    );

  it('moves only pending deliveries of that subscription, counts them by old url, and makes them due', async () => {
    const { store, config } = await storeWith([
      {},
      {},
      { url: 'https://older.example.com/b', next_attempt_at: NOW - 5 },
      { url: NEW_URL },
      { status: 'failed', next_attempt_at: null },
      { status: 'succeeded', next_attempt_at: null },
      { subscription_id: 'sub-other' },
    ]);
    const lines = await retarget(store, config.config, 'sub-ops', NOW);
    expect(lines.slice(0, 4)).toEqual([
      `sub-ops: moved 3 pending deliveries to ${NEW_URL}, due now`,
      '  2 from https://old.example.com/a',
      '  1 from https://older.example.com/b',
      '  (1 already went there)',
    ]);
    expect(await urls(store)).toEqual({
      dlv_0: ['pending', NEW_URL, NOW],
      dlv_1: ['pending', NEW_URL, NOW],
      // Already due earlier: not pushed later.
      dlv_2: ['pending', NEW_URL, NOW - 5],
      dlv_3: ['pending', NEW_URL, NOW + 3_600_000],
      dlv_4: ['failed', 'https://old.example.com/a', 0],
      dlv_5: ['succeeded', 'https://old.example.com/a', 0],
      dlv_6: ['pending', 'https://old.example.com/a', NOW + 3_600_000],
    });
  });

  it('keeps the schedule of a disabled subscription and says how to send them', async () => {
    const { store, config } = await storeWith([{}]);
    await store.outbox.setDisabled('sub-ops', NOW, '5 deliveries in a row were exhausted');
    const lines = await retarget(store, config.config, 'sub-ops', NOW);
    expect(lines).toEqual([
      `sub-ops: moved 1 pending delivery to ${NEW_URL}`,
      '  1 from https://old.example.com/a',
      'note: sub-ops is disabled, so they fail when they fall due; `switchboard subscriptions --enable sub-ops` to send them',
    ]);
    expect((await urls(store)).dlv_0).toEqual(['pending', NEW_URL, NOW + 3_600_000]);
  });

  it('says so when everything already goes to the current url', async () => {
    const { store, config } = await storeWith([{ url: NEW_URL }]);
    expect(await retarget(store, config.config, 'sub-ops', NOW)).toEqual([
      `sub-ops: 1 pending delivery already goes to ${NEW_URL}, nothing to move`,
    ]);
    await expect(retarget(store, config.config, 'sub-missing', NOW)).rejects.toBeInstanceOf(UsageError);
  });
});
