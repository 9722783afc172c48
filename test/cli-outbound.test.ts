// Covers the outbound side of the `switchboard` command line, run in-process through run():
// events, subscriptions (secrets, disabled state, --enable), deliveries (filters, --json,
// --attempts), redeliver, recover --since; and the `receive` sample receiver, which runs as
// a real process until a signal stops it.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { AttemptRow, DeliveryRow } from '../src/store/outbox-repo.js';
import { databaseFile, openStore, type Store } from '../src/store/store.js';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { expectNoStackTrace, spawnCli, type CliResult } from './support/cli-process.js';
import { runCli } from './support/run-cli.js';

const FIXTURE_DRIVERS = fileURLToPath(new URL('./fixtures/drivers', import.meta.url));

const CONFIGURED = 'whsec_' + Buffer.from('configured-signing-key-for-cli-tests').toString('base64');
const RECEIVE_SECRET = 'whsec_' + Buffer.from('receive-command-signing-key-0123').toString('base64');
const GENERATED = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

const cli = (args: string[]): Promise<CliResult> => runCli(args);

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

const dirs: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A config directory with an outbound section, a trigger that emits room.ready and three subscriptions. */
function tempConfig(): { config: string; data: string } {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-cli-outbound-'));
  dirs.push(root);
  const config = join(root, 'config');
  const data = join(root, 'data');
  writeConfig(config, data);
  return { config, data };
}

function writeConfig(config: string, data: string): void {
  mkdirSync(config, { recursive: true });
  writeFileSync(
    join(config, 'site.yaml'),
    `
server:
  host: 127.0.0.1
  port: 8080
  data_dir: ${JSON.stringify(data)}
outbound:
  allow: [127.0.0.1]
zones:
  - id: org
  - id: building
    parent: org
systems:
  - id: sys-room
    zones: [building]
    modules: [{ driver: display }]
triggers:
  - id: wake
    actions:
      - call: Display_1.power
        args: { state: true }
      - emit: room.ready
        data: { room: sys-room }
instances:
  - { id: trig-room, trigger: wake, system: sys-room, secret: trigger-secret-0123456789 }
subscriptions:
  - id: sub-ops
    url: https://ops.example.com/hooks
    zone: org
    events: [trigger.fired]
  - id: sub-room
    url: https://room.example.com/in
    system: sys-room
    events: [room.*, module.state_changed]
    secret: "${CONFIGURED}"
    mode: fire-and-forget
  - id: sub-all
    url: https://all.example.com/webhook
    batch: { max_events: 10, max_wait: 5s }
`,
  );
}

async function withStore<T>(data: string, use: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(databaseFile(data));
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

type Update = {
  attempt: AttemptRow;
  delivery: Pick<DeliveryRow, 'id' | 'status' | 'attempts' | 'next_attempt_at' | 'finished_at' | 'last_status' | 'last_error'>;
};

/** Writes an event and its deliveries (pending, no attempts) in one commit. */
async function emit(
  store: Store,
  event: { id: string; type: string; at: number },
  deliveries: { id: string; subscription: string; url?: string }[],
): Promise<void> {
  const rows: DeliveryRow[] = deliveries.map((d) => ({
    id: d.id,
    event_id: event.id,
    subscription_id: d.subscription,
    url: d.url ?? `https://${d.subscription}.example.com/`,
    status: 'pending',
    attempts: 0,
    next_attempt_at: event.at,
    created_at: event.at,
    finished_at: null,
    last_status: null,
    last_error: null,
  }));
  await store.commit([
    {
      kind: 'event',
      row: { id: event.id, type: event.type, created_at: event.at, source: '{}', data: JSON.stringify({ room: 'sys-room' }) },
    },
    ...rows.map((row) => ({ kind: 'delivery' as const, row })),
  ]);
}

async function recordAttempts(store: Store, updates: Update[]): Promise<void> {
  await store.commit(updates.map(({ attempt, delivery }) => ({ kind: 'attempt' as const, row: attempt, delivery })));
}

function attempt(
  deliveryId: string,
  n: number,
  at: number,
  result: { status?: number; error?: string; response?: string; latency?: number },
  state: 'pending' | 'succeeded' | 'failed',
): Update {
  const status = result.status ?? null;
  const error = result.error ?? (status !== null && status >= 300 ? `answered ${status}` : null);
  return {
    attempt: {
      delivery_id: deliveryId,
      attempt: n,
      started_at: at,
      latency_ms: result.latency ?? 12.4,
      status_code: status,
      error: result.error ?? null,
      response: result.response ?? null,
    },
    delivery: {
      id: deliveryId,
      status: state,
      attempts: n,
      next_attempt_at: state === 'pending' ? at + 60_000 : null,
      finished_at: state === 'pending' ? null : at,
      last_status: status,
      last_error: state === 'succeeded' ? null : error,
    },
  };
}

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);
const LONG_ANSWER = 'Internal error\nwhile handling "room.ready"\t' + 'x'.repeat(200);

/**
 * dlv_1: trigger.fired to sub-ops, succeeded at the first attempt (200 "ok");
 * dlv_2: room.ready to sub-room, failed after a 500 and a refused connection;
 * dlv_3: room.ready to sub-all, still pending, no attempts.
 */
async function recordDeliveries(data: string): Promise<void> {
  await withStore(data, async (store) => {
    await emit(store, { id: 'evt_1', type: 'trigger.fired', at: T0 }, [{ id: 'dlv_1', subscription: 'sub-ops' }]);
    await emit(store, { id: 'evt_2', type: 'room.ready', at: T0 + 1_000 }, [
      { id: 'dlv_2', subscription: 'sub-room' },
      { id: 'dlv_3', subscription: 'sub-all' },
    ]);
    await recordAttempts(store, [attempt('dlv_1', 1, T0 + 10, { status: 200, response: 'ok' }, 'succeeded')]);
    await recordAttempts(store, [
      attempt('dlv_2', 1, T0 + 1_010, { status: 500, response: LONG_ANSWER, latency: 40.6 }, 'pending'),
    ]);
    await recordAttempts(store, [
      attempt('dlv_2', 2, T0 + 61_010, { error: 'connect ECONNREFUSED 10.0.0.9:443', latency: 2 }, 'failed'),
    ]);
  });
}

describe('switchboard events', () => {
  it('lists the engine types and the config emit type with origin and description', async () => {
    const { config } = tempConfig();
    const result = await cli(['events', '--config', config]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const rows = lines(result.stdout).map((l) => l.split(/\s{2,}/));
    expect(rows.map((r) => r[0])).toEqual(
      expect.arrayContaining(['module.state_changed', 'room.ready', 'subscription.disabled', 'trigger.fired']),
    );
    expect(rows.find((r) => r[0] === 'room.ready')).toEqual([
      'room.ready',
      'config',
      'Emitted by an `emit` action in the config.',
    ]);
    expect(rows.find((r) => r[0] === 'trigger.fired')?.[1]).toBe('engine');
    for (const row of rows) {
      expect(row[1]).toMatch(/^(engine|config|driver \S+)$/);
      expect(row[2]).toMatch(/\S/);
    }
  });

  it('adds the event types the drivers of a --drivers folder declare', async () => {
    const { config } = tempConfig();
    const without = await cli(['events', '--config', config]);
    const result = await cli(['events', '--config', config, '--drivers', FIXTURE_DRIVERS]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const rows = lines(result.stdout).map((l) => l.split(/\s{2,}/));
    expect(rows.find((r) => r[0] === 'fixture_lamp.burned_out')).toEqual([
      'fixture_lamp.burned_out',
      'driver fixture-lamp',
      'The bulb burned out.',
    ]);
    const before = new Set(lines(without.stdout).map((l) => l.split(/\s{2,}/)[0]));
    expect(rows.map((r) => r[0]).filter((type) => !before.has(type))).toEqual(['fixture_lamp.burned_out']);
  });

  it('prints one JSON object per type with --json, the data schema included', async () => {
    const { config } = tempConfig();
    const result = await cli(['events', '--config', config, '--json']);
    expect(result.code).toBe(0);
    const types = lines(result.stdout).map(
      (l) =>
        JSON.parse(l) as { type: string; origin: string; description: string; data: { properties?: Record<string, unknown> } },
    );
    expect(types.map((t) => t.type)).toContain('subscription.disabled');
    const fired = types.find((t) => t.type === 'trigger.fired')!;
    expect(fired.origin).toBe('engine');
    expect(Object.keys(fired.data.properties ?? {})).toEqual(
      expect.arrayContaining(['instance', 'trigger', 'system', 'run', 'request']),
    );
  });
});

describe('switchboard subscriptions', () => {
  it('shows where each listens, its events, its mode and secrets; a generated secret stays the same across runs', async () => {
    const { config } = tempConfig();
    const first = await cli(['subscriptions', '--config', config]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const blocks = first.stdout.trim().split('\n\n');
    expect(blocks).toHaveLength(3);
    const [ops, room, all] = blocks;
    expect(ops).toMatch(/^sub-ops\thttps:\/\/ops\.example\.com\/hooks\n/);
    expect(ops).toContain('listens:  zone org');
    expect(ops).toContain('events:   trigger.fired');
    expect(ops).toContain('mode:     durable');
    expect(ops).toContain('state:    enabled');
    const generated = /secret: {3}(\S+) {2}\(generated\)/.exec(ops!)?.[1];
    expect(generated).toMatch(GENERATED);

    expect(room).toContain('listens:  system sys-room');
    expect(room).toContain('events:   room.*, module.state_changed');
    expect(room).toContain('mode:     fire-and-forget');
    expect(room).toContain(`secret:   ${CONFIGURED}  (configured)`);

    expect(all).toContain('listens:  everything');
    expect(all).toContain('events:   *');
    expect(all).toMatch(/mode: {5}durable, batches of up to 10/);
    const allSecret = /secret: {3}(\S+) {2}\(generated\)/.exec(all!)?.[1];
    expect(allSecret).toMatch(GENERATED);
    expect(allSecret).not.toBe(generated);

    const second = await cli(['subscriptions', '--config', config]);
    expect(second.stdout).toBe(first.stdout);
  });

  it('shows a disabled subscription with when and why, and --enable clears it', async () => {
    const { config, data } = tempConfig();
    await withStore(data, (store) =>
      store.outbox.setDisabled('sub-all', T0, 'https://all.example.com/webhook answered 410 Gone'),
    );
    const before = await cli(['subscriptions', '--config', config]);
    expect(before.stdout).toContain(
      'state:    disabled since 2026-01-01T09:00:00.000Z (https://all.example.com/webhook answered 410 Gone)',
    );
    expect(before.stdout.match(/state: {4}enabled/g)).toHaveLength(2);

    const enabled = await cli(['subscriptions', '--config', config, '--enable', 'sub-all']);
    expect(enabled).toMatchObject({ code: 0, stderr: '' });
    expect(enabled.stdout).toContain('sub-all enabled');
    expect(enabled.stdout).toContain('within a second');
    const states = await withStore(data, (store) => store.outbox.subscriptionStates());
    expect(states.find((s) => s.subscription_id === 'sub-all')).toMatchObject({ disabled_at: null, disabled_reason: null });

    const after = await cli(['subscriptions', '--config', config]);
    expect(after.stdout).not.toContain('disabled since');
    expect(after.stdout.match(/state: {4}enabled/g)).toHaveLength(3);

    const again = await cli(['subscriptions', '--config', config, '--enable', 'sub-all']);
    expect(again).toMatchObject({ code: 0, stdout: 'sub-all is not disabled; nothing to do\n' });
  });

  it('refuses --enable of an unknown id with exit 1, listing the ids', async () => {
    const { config } = tempConfig();
    const result = await cli(['subscriptions', '--config', config, '--enable', 'sub-nope']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'switchboard: no subscription "sub-nope" in the config; subscriptions: sub-ops, sub-room, sub-all\n',
    );
  });
});

describe('switchboard deliveries', () => {
  it('lists deliveries newest first with type, subscription, status, attempts, last outcome and url', async () => {
    const { config, data } = tempConfig();
    await recordDeliveries(data);
    const result = await cli(['deliveries', '--config', config]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lines(result.stdout)).toEqual([
      `dlv_3  2026-01-01T09:00:01.000Z  room.ready  sub-all  pending    0 attempts  last: -  next 2026-01-01T09:00:01.000Z  https://sub-all.example.com/`,
      `dlv_2  2026-01-01T09:00:01.000Z  room.ready  sub-room  failed     2 attempts  last: connect ECONNREFUSED 10.0.0.9:443  https://sub-room.example.com/`,
      `dlv_1  2026-01-01T09:00:00.000Z  trigger.fired  sub-ops  succeeded  1 attempt  last: 200  https://sub-ops.example.com/`,
    ]);
  });

  it('filters by --subscription, --status and --type, alone and together, honours --limit, and says when nothing matches', async () => {
    const { config, data } = tempConfig();
    await recordDeliveries(data);
    const ids = async (...args: string[]) =>
      lines((await cli(['deliveries', '--config', config, '--json', ...args])).stdout).map(
        (l) => (JSON.parse(l) as { id: string }).id,
      );
    expect(await ids('--subscription', 'sub-room')).toEqual(['dlv_2']);
    expect(await ids('--status', 'failed')).toEqual(['dlv_2']);
    expect(await ids('--status', 'succeeded')).toEqual(['dlv_1']);
    expect(await ids('--type', 'room.ready')).toEqual(['dlv_3', 'dlv_2']);
    expect(await ids('--type', 'room.ready', '--status', 'pending')).toEqual(['dlv_3']);
    expect(await ids('--subscription', 'sub-ops', '--type', 'room.ready')).toEqual([]);
    expect(await ids('--limit', '2')).toEqual(['dlv_3', 'dlv_2']);
    expect((await cli(['deliveries', '--config', config, '--subscription', 'sub-nobody'])).stdout).toBe(
      'no deliveries recorded that match\n',
    );
  });

  it('prints one JSON object per delivery with --json, the attempts under attempt_log with --attempts', async () => {
    const { config, data } = tempConfig();
    await recordDeliveries(data);
    const plain = lines((await cli(['deliveries', '--config', config, '--json', '--subscription', 'sub-room'])).stdout).map(
      (l) => JSON.parse(l) as Record<string, unknown>,
    );
    expect(plain).toEqual([
      {
        id: 'dlv_2',
        event_id: 'evt_2',
        subscription_id: 'sub-room',
        url: 'https://sub-room.example.com/',
        status: 'failed',
        attempts: 2,
        next_attempt_at: null,
        created_at: T0 + 1_000,
        finished_at: T0 + 61_010,
        last_status: null,
        last_error: 'connect ECONNREFUSED 10.0.0.9:443',
        type: 'room.ready',
      },
    ]);
    const withAttempts = JSON.parse(
      (await cli(['deliveries', '--config', config, '--json', '--attempts', '--subscription', 'sub-room'])).stdout,
    ) as { attempt_log: AttemptRow[] };
    expect(withAttempts.attempt_log.map((a) => [a.attempt, a.status_code, a.error])).toEqual([
      [1, 500, null],
      [2, null, 'connect ECONNREFUSED 10.0.0.9:443'],
    ]);
    expect(withAttempts.attempt_log[0]!.response).toBe(LONG_ANSWER);
  });

  it('shows each attempt under its delivery with --attempts: status or error, latency and a one-line response excerpt', async () => {
    const { config, data } = tempConfig();
    await recordDeliveries(data);
    const result = await cli(['deliveries', '--config', config, '--attempts']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const out = lines(result.stdout);
    const excerpt = JSON.stringify(LONG_ANSWER.slice(0, 80)).slice(0, -1).replaceAll('\\"', '"') + '…"';
    expect(out).toEqual([
      expect.stringMatching(/^dlv_3 /),
      '    no attempts yet',
      expect.stringMatching(/^dlv_2 /),
      `    #1  2026-01-01T09:00:01.010Z  500  41ms  ${excerpt}`,
      '    #2  2026-01-01T09:01:01.010Z  error: connect ECONNREFUSED 10.0.0.9:443  2ms',
      expect.stringMatching(/^dlv_1 /),
      '    #1  2026-01-01T09:00:00.010Z  200  12ms  "ok"',
    ]);
    expect(out[3]).toContain('Internal error\\nwhile handling "room.ready"\\t');
    expect(out[3]!.length).toBeLessThan(160);
  });

  it('refuses an unknown --status with exit 2 naming the allowed values', async () => {
    const { config } = tempConfig();
    const result = await cli(['deliveries', '--config', config, '--status', 'done']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'switchboard: --status must be one of pending, succeeded, failed, not "done"\nrun `switchboard --help` for usage\n',
    );
  });

  it('moves pending deliveries to the url the config gives now with --retarget', async () => {
    const { config, data } = tempConfig();
    await recordDeliveries(data);
    const result = await cli(['deliveries', '--config', config, '--retarget', 'sub-all']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lines(result.stdout)[0]).toBe('sub-all: moved 1 pending delivery to https://all.example.com/webhook, due now');
    expect((await withStore(data, (store) => store.outbox.get('dlv_3')))?.url).toBe('https://all.example.com/webhook');
    const unknown = await cli(['deliveries', '--config', config, '--retarget', 'sub-nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('switchboard: --retarget: no subscription "sub-nope" in the config');
  });

  it('says no deliveries are recorded on an empty database', async () => {
    const { config } = tempConfig();
    expect(await cli(['deliveries', '--config', config])).toMatchObject({ code: 0, stdout: 'no deliveries recorded\n' });
  });
});

describe('switchboard redeliver', () => {
  it('turns a failed delivery pending, due now, keeping its attempts', async () => {
    const { config, data } = tempConfig();
    await recordDeliveries(data);
    const before = Date.now();
    const result = await cli(['redeliver', 'dlv_2', '--config', config]);
    const after = Date.now();
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      'dlv_2 queued again (was failed after 2 attempts); it goes to https://sub-room.example.com/ as soon as the engine runs\n',
    );
    const row = await withStore(data, (store) => store.outbox.get('dlv_2'));
    expect(row).toMatchObject({ status: 'pending', attempts: 2, finished_at: null, event_id: 'evt_2' });
    expect(row!.next_attempt_at).toBeGreaterThanOrEqual(before);
    expect(row!.next_attempt_at).toBeLessThanOrEqual(after);
  });

  it('warns when the subscription is disabled', async () => {
    const { config, data } = tempConfig();
    await recordDeliveries(data);
    await withStore(data, (store) => store.outbox.setDisabled('sub-room', T0, 'too many failures'));
    const result = await cli(['redeliver', 'dlv_2', '--config', config]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('note: subscription sub-room is disabled');
  });

  it('answers an unknown id with exit 1 and no missing id with exit 2', async () => {
    const { config, data } = tempConfig();
    await recordDeliveries(data);
    const unknown = await cli(['redeliver', 'dlv_nope', '--config', config]);
    expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: 'switchboard: no delivery dlv_nope\n' });
    const missing = await cli(['redeliver', '--config', config]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('redeliver needs a delivery id');
  });
});

describe('switchboard recover', () => {
  it('requeues only the failed deliveries created since --since 1h', async () => {
    const { config, data } = tempConfig();
    const now = Date.now();
    await withStore(data, async (store) => {
      await emit(store, { id: 'evt_old', type: 'trigger.fired', at: now - 2 * 3_600_000 }, [
        { id: 'dlv_old', subscription: 'sub-ops' },
      ]);
      await emit(store, { id: 'evt_new', type: 'trigger.fired', at: now - 10 * 60_000 }, [
        { id: 'dlv_new_failed', subscription: 'sub-ops' },
        { id: 'dlv_new_ok', subscription: 'sub-all' },
      ]);
      await emit(store, { id: 'evt_newer', type: 'room.ready', at: now - 5 * 60_000 }, [
        { id: 'dlv_newer_failed', subscription: 'sub-room' },
      ]);
      await recordAttempts(store, [
        attempt('dlv_old', 1, now - 2 * 3_600_000, { status: 500 }, 'failed'),
        attempt('dlv_new_failed', 1, now - 10 * 60_000, { status: 502 }, 'failed'),
        attempt('dlv_new_ok', 1, now - 10 * 60_000, { status: 200 }, 'succeeded'),
        attempt('dlv_newer_failed', 1, now - 5 * 60_000, { error: 'timed out' }, 'failed'),
      ]);
    });
    const result = await cli(['recover', '--since', '1h', '--config', config]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^2 failed deliveries created since \d{4}-\d\d-\d\dT[\d:.]+Z queued again\n$/);
    const statuses = await withStore(data, async (store) =>
      Object.fromEntries((await store.outbox.list({ limit: 10 })).map((d) => [d.id, d.status])),
    );
    expect(statuses).toEqual({
      dlv_old: 'failed',
      dlv_new_failed: 'pending',
      dlv_new_ok: 'succeeded',
      dlv_newer_failed: 'pending',
    });

    const iso = await cli(['recover', '--since', new Date(now - 3 * 3_600_000).toISOString(), '--config', config]);
    expect(iso.stdout).toMatch(/^1 failed delivery created since/);
    expect((await withStore(data, (store) => store.outbox.get('dlv_old')))?.status).toBe('pending');
  });

  it.each([
    { args: [], message: 'recover needs --since TIME' },
    { args: ['--since', 'yesterday'], message: '--since must be an ISO 8601 time or a duration ago, not "yesterday"' },
    { args: ['--since', '2026-13-45T99:00:00Z'], message: '--since must be an ISO 8601 time or a duration ago' },
  ])('refuses $args with exit 2 and a clear message', async ({ args, message }) => {
    const { config } = tempConfig();
    const result = await cli(['recover', '--config', config, ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`switchboard: ${message}`);
    expect(result.stderr).toContain('run `switchboard --help` for usage');
  });
});

/** A running `switchboard receive`: its port once it said "listening on", and what it printed. */
interface Running {
  child: ChildProcessWithoutNullStreams;
  url: string;
  out: () => string;
  err: () => string;
  waitForOutput(pattern: RegExp): Promise<void>;
  exited: Promise<number | null>;
}

async function startReceive(args: string[]): Promise<Running> {
  const child = spawnCli(['receive', ...args]);
  children.push(child);
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const waitForOutput = async (pattern: RegExp) => {
    const deadline = Date.now() + 10_000;
    while (!pattern.test(stdout)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${pattern} in output:\n${stdout}\n${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  await waitForOutput(/listening on http:\/\/127\.0\.0\.1:\d+\n/);
  const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)![1];
  expect(Number(port)).toBeGreaterThan(0);
  return { child, url: `http://127.0.0.1:${port}/hook`, out: () => stdout, err: () => stderr, waitForOutput, exited };
}

function signed(body: string, secret = RECEIVE_SECRET, id = 'evt_test_1'): Record<string, string> {
  const at = new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

const ENVELOPE = JSON.stringify({
  id: 'evt_test_1',
  type: 'room.ready',
  created: '2026-01-01T09:00:00.000Z',
  attempt: 1,
  data: { room: 'sys-room', people: 3 },
});

describe('switchboard receive', () => {
  it('answers a signed POST with 200 and prints it, a tampered body or another key with 401; SIGTERM stops it with exit 0', async () => {
    const r = await startReceive(['--port', '0', '--secret', RECEIVE_SECRET]);
    const response = await fetch(r.url, { method: 'POST', body: ENVELOPE, headers: signed(ENVELOPE) });
    expect(response.status).toBe(200);
    await r.waitForOutput(/"people": 3/);
    expect(r.out()).toContain('webhook-id evt_test_1  signature ok  (answered 200)');
    expect(r.out()).toContain('  room.ready  id evt_test_1  created 2026-01-01T09:00:00.000Z  attempt 1\n');
    expect(r.out()).toContain('    {\n      "room": "sys-room",\n      "people": 3\n    }\n');

    const tampered = await fetch(r.url, {
      method: 'POST',
      body: ENVELOPE.replace('"people":3', '"people":30'),
      headers: signed(ENVELOPE),
    });
    expect(tampered.status).toBe(401);
    await r.waitForOutput(/invalid signature/);
    expect(r.out()).toMatch(/POST \/hook {2}invalid signature: .+ {2}webhook-id evt_test_1 {2}\(answered 401\)/);
    expect(r.out()).not.toContain('"people": 30');
    const wrongKey = await fetch(r.url, { method: 'POST', body: ENVELOPE, headers: signed(ENVELOPE, CONFIGURED) });
    expect(wrongKey.status).toBe(401);

    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    expect(r.out()).toMatch(/stopped \(SIGTERM\) after 1 valid and 2 invalid requests/);
    expectNoStackTrace({ code: 0, stdout: r.out(), stderr: r.err() });
  });

  it('with --fail 1 --status 204 answers the first valid request 500, then 204, printing each event of a batch; SIGINT stops it', async () => {
    const r = await startReceive(['--port', '0', '--secret', RECEIVE_SECRET, '--fail', '1', '--status', '204']);
    const first = await fetch(r.url, { method: 'POST', body: ENVELOPE, headers: signed(ENVELOPE) });
    expect(first.status).toBe(500);
    const batch = JSON.stringify([
      JSON.parse(ENVELOPE),
      {
        id: 'evt_test_2',
        type: 'trigger.fired',
        created: '2026-01-01T09:00:01.000Z',
        attempt: 2,
        data: { instance: 'trig-room' },
      },
    ]);
    const second = await fetch(r.url, { method: 'POST', body: batch, headers: signed(batch, RECEIVE_SECRET, 'batch_dlv_1') });
    expect(second.status).toBe(204);
    await r.waitForOutput(/trig-room/);
    expect(r.out()).toContain('(answered 500, failing on purpose 1 of 1)');
    expect(r.out()).toContain('(answered 204)');
    expect(r.out()).toContain('  batch of 2 events\n');
    expect(r.out()).toContain('  trigger.fired  id evt_test_2  created 2026-01-01T09:00:01.000Z  attempt 2\n');
    r.child.kill('SIGINT');
    expect(await r.exited).toBe(0);
    expect(r.out()).toMatch(/stopped \(SIGINT\) after 2 valid and 0 invalid requests/);
  });

  it.each([
    { args: ['--secret', RECEIVE_SECRET], message: 'receive needs --port P' },
    { args: ['--port', '0'], message: 'receive needs --secret' },
    { args: ['--port', '0', '--secret', 'not-a-secret'], message: '--secret must be a Standard Webhooks secret' },
    {
      args: ['--port', '0', '--secret', RECEIVE_SECRET, '--status', '99'],
      message: '--status must be an HTTP status from 200 to 599',
    },
    { args: ['--port', '0', '--secret', RECEIVE_SECRET, '--fail', 'some'], message: '--fail must be a whole number' },
    { args: ['--port', '0', '--secret', RECEIVE_SECRET, '--config', 'config'], message: 'receive does not take --config' },
  ])('refuses $message with exit 2', async ({ args, message }) => {
    const result = await cli(['receive', ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`switchboard: ${message}`);
  });
});
