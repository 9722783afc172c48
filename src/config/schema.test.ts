// Covers the config schemas' defaults and refusals: server defaults when the section is absent, trigger and instance defaults, methods and secrets.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { configSchema, instanceSchema, moduleSchema, serverSchema, systemSchema, triggerSchema } from './schema.js';

const SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  data_dir: '../data',
  database: 'sqlite',
  body_limit: 1_048_576,
  log_body_limit: 4_096,
  json_depth: 64,
  durability: 'normal',
  max_database_size: 0,
  lock_wait: 5_000,
  shutdown_timeout: 10_000,
  retention: 30 * 86_400_000,
  keep_failed_runs: 10,
  request_timeout: 30_000,
  headers_timeout: 10_000,
  keep_alive_timeout: 5_000,
  max_header_size: 16_384,
  max_connections: 2048,
  max_connections_per_address: 256,
  trust_proxy: false,
  metrics_allow_from: ['127.0.0.0/8', '::1', '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((i) => i.message) ?? [];

describe('serverSchema', () => {
  it('takes sqlite or a PostgreSQL URL as the database, and never repeats a refused value (it may hold a password)', () => {
    expect(serverSchema.parse({}).database).toBe('sqlite');
    expect(serverSchema.parse({ database: 'postgres://sb:pw@db:5432/sb' }).database).toBe('postgres://sb:pw@db:5432/sb');
    expect(serverSchema.parse({ database: 'postgresql://db/sb' }).database).toBe('postgresql://db/sb');
    const refused = serverSchema.safeParse({ database: 'mysql://sb:s3cret@db/sb' });
    expect(refused.error?.issues[0]).toMatchObject({
      path: ['database'],
      message: 'must be sqlite or a PostgreSQL URL (postgres://user:password@host:5432/database)',
    });
    expect(JSON.stringify(refused.error?.issues)).not.toContain('s3cret');
  });

  it('keeps headers_timeout within a shorter request_timeout unless given, and refuses a longer one given', () => {
    expect(serverSchema.parse({ request_timeout: '4s' }).headers_timeout).toBe(4_000);
    expect(serverSchema.parse({ request_timeout: '1m' }).headers_timeout).toBe(10_000);
    expect(serverSchema.parse({ request_timeout: 0 }).headers_timeout).toBe(10_000);
    expect(serverSchema.parse({ request_timeout: '4s', headers_timeout: '2s' }).headers_timeout).toBe(2_000);
    const refused = serverSchema.safeParse({ request_timeout: '4s', headers_timeout: '5s' });
    expect(refused.error?.issues[0]).toMatchObject({
      path: ['headers_timeout'],
      message: 'headers_timeout must not be longer than request_timeout',
    });
  });

  it('refuses trust_proxy and allow_from entries that are not addresses, naming them', () => {
    const refused = serverSchema.safeParse({ trust_proxy: ['10.0.0.0/8', 'proxy.example.com'] });
    expect(refused.error?.issues[0]?.message).toBe(
      '"proxy.example.com" is not an IP address or a CIDR range such as 192.0.2.0/24, or one of loopback, linklocal, uniquelocal',
    );
    expect(serverSchema.parse({ trust_proxy: ['loopback', '10.0.0.0/8'] }).trust_proxy).toEqual(['loopback', '10.0.0.0/8']);
    expect(serverSchema.parse({ trust_proxy: 2 }).trust_proxy).toBe(2);
  });

  it('gives a config without a server section every server default', () => {
    const config = configSchema.parse({});
    expect(config.server).toEqual(SERVER_DEFAULTS);
    expect(config.server.public_url).toBeUndefined();
  });

  it('gives the defaults for an absent or empty server section alike', () => {
    expect(serverSchema.parse(undefined)).toEqual(SERVER_DEFAULTS);
    expect(serverSchema.parse({})).toEqual(SERVER_DEFAULTS);
    expect(configSchema.parse({ server: {} }).server).toEqual(SERVER_DEFAULTS);
  });

  it('fills the defaults around the settings that are given', () => {
    expect(configSchema.parse({ server: { port: 9000, durability: 'full' } }).server).toEqual({
      ...SERVER_DEFAULTS,
      port: 9000,
      durability: 'full',
    });
  });

  it('reads sizes and durations with units', () => {
    expect(serverSchema.parse({ body_limit: '512kb', log_body_limit: '1kb', shutdown_timeout: '30s' })).toMatchObject({
      body_limit: 524_288,
      log_body_limit: 1_024,
      shutdown_timeout: 30_000,
    });
  });

  it.each([
    [{ port: 70_000 }, 'port'],
    [{ port: 'eighty' }, 'port'],
    [{ durability: 'paranoid' }, 'durability'],
    [{ public_url: 'not a url' }, 'public_url'],
    [{ shutdown_timeout: 10 }, 'shutdown_timeout'],
    [{ body_limit: 'lots' }, 'body_limit'],
  ])('refuses %j', (server, field) => {
    const result = serverSchema.safeParse(server);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path[0])).toContain(field);
  });

  it('refuses an unknown server key', () => {
    const result = serverSchema.safeParse({ hostname: 'x' });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ code: 'unrecognized_keys', keys: ['hostname'] });
  });
});

describe('configSchema', () => {
  it('gives an empty config empty lists', () => {
    expect(configSchema.parse({})).toEqual({
      server: SERVER_DEFAULTS,
      zones: [],
      systems: [],
      triggers: [],
      instances: [],
      subscriptions: [],
      outbound: { allow: [], concurrency: 8, response_limit: 1024 },
    });
  });

  it('refuses an unknown top-level section', () => {
    expect(configSchema.safeParse({ trigers: [] }).success).toBe(false);
  });

  it('gives a system and its modules their defaults', () => {
    expect(systemSchema.parse({ id: 'sys-1' })).toEqual({ id: 'sys-1', zones: [], modules: [] });
    expect(moduleSchema.parse({ driver: 'display' })).toEqual({ driver: 'display', settings: {} });
  });

  it('refuses ids that do not start with a letter or digit', () => {
    const result = systemSchema.safeParse({ id: '-sys' });
    expect(result.success).toBe(false);
    expect(messages(result)).toEqual(['ids start with a letter or digit and use only letters, digits, ".", "-" and "_"']);
  });
});

describe('triggerSchema', () => {
  it('fills the trigger defaults', () => {
    expect(triggerSchema.parse({ id: 'lobby-motion' })).toEqual({
      id: 'lobby-motion',
      webhook: true,
      methods: ['POST'],
      debounce: 0,
      debounce_mode: 'hold',
      actions: [],
      conditions: [],
      misfire: 'skip',
      misfire_grace: 60_000,
      mode: 'parallel',
      redact: [],
      log_body: 'full',
      respond: 'accepted',
      respond_timeout: 10_000,
    });
  });

  it('reads misfire and misfire_grace, and catch_up as the old spelling of misfire: once', () => {
    expect(triggerSchema.parse({ id: 't', misfire: 'all', misfire_grace: '5m' })).toMatchObject({
      misfire: 'all',
      misfire_grace: 300_000,
    });
    expect(triggerSchema.parse({ id: 't', catch_up: true })).toMatchObject({ misfire: 'once', catch_up: true });
    expect(triggerSchema.parse({ id: 't', catch_up: false })).toMatchObject({ misfire: 'skip', catch_up: false });
  });

  it('refuses misfire and catch_up together, an unknown policy, and a grace under a second', () => {
    const both = triggerSchema.safeParse({ id: 't', misfire: 'once', catch_up: true });
    expect(both.error?.issues.map((i) => [i.path, i.message])).toEqual([
      [
        ['catch_up'],
        'give misfire or catch_up, not both; catch_up is the old spelling of misfire (catch_up: true is misfire: once)',
      ],
    ]);
    expect(triggerSchema.safeParse({ id: 't', misfire: 'every' }).success).toBe(false);
    expect(messages(triggerSchema.safeParse({ id: 't', misfire_grace: '500ms' }))).toEqual([
      'give a misfire_grace of 1s or more; a timer runs a few milliseconds late',
    ]);
  });

  it('upper-cases methods', () => {
    expect(triggerSchema.parse({ id: 't', methods: ['get', 'Post', 'PATCH'] }).methods).toEqual(['GET', 'POST', 'PATCH']);
  });

  it('refuses an unknown method and an empty list of methods', () => {
    expect(triggerSchema.safeParse({ id: 't', methods: ['FETCH'] }).success).toBe(false);
    expect(triggerSchema.safeParse({ id: 't', methods: [] }).success).toBe(false);
  });

  it('reads the debounce as milliseconds and refuses an unknown mode', () => {
    expect(triggerSchema.parse({ id: 't', debounce: '30s', debounce_mode: 'throttle' })).toMatchObject({
      debounce: 30_000,
      debounce_mode: 'throttle',
    });
    expect(triggerSchema.safeParse({ id: 't', debounce_mode: 'sometimes' }).success).toBe(false);
  });

  it('gives a call action its defaults and its kind', () => {
    expect(triggerSchema.parse({ id: 't', actions: [{ call: 'Display_1.power' }] }).actions).toEqual([
      { kind: 'call', call: 'Display_1.power', args: {}, continue_on_error: false },
    ]);
  });

  it('refuses an action without a kind and a call target in the wrong shape', () => {
    expect(messages(triggerSchema.safeParse({ id: 't', actions: [{ wait: '5s' }] }))).toEqual([
      'an action needs one of: call, emit, delay, email, respond',
    ]);
    expect(messages(triggerSchema.safeParse({ id: 't', actions: [{ call: 'Display.power' }] }))).toEqual([
      'write the target as Module_index.method, for example Display_1.power',
    ]);
  });
});

describe('instanceSchema', () => {
  it('fills the instance defaults and leaves the secret out', () => {
    expect(instanceSchema.parse({ id: 'trig-1', trigger: 't', system: 's' })).toEqual({
      id: 'trig-1',
      trigger: 't',
      system: 's',
      enabled: true,
      exec: false,
    });
  });

  it('keeps a secret of 16 characters or more', () => {
    expect(instanceSchema.parse({ id: 'i', trigger: 't', system: 's', secret: '0123456789abcdef' }).secret).toBe(
      '0123456789abcdef',
    );
  });

  it('refuses a secret shorter than 16 characters, saying to leave it out to have one generated', () => {
    const result = instanceSchema.safeParse({ id: 'i', trigger: 't', system: 's', secret: '0123456789abcde' });
    expect(result.success).toBe(false);
    expect(result.error!.issues).toHaveLength(1);
    expect(result.error!.issues[0]!.path).toEqual(['secret']);
    expect(result.error!.issues[0]!.message).toBe('a secret needs at least 16 characters; leave it out to have one generated');
  });

  it('refuses an empty secret the same way', () => {
    expect(messages(instanceSchema.safeParse({ id: 'i', trigger: 't', system: 's', secret: '' }))).toEqual([
      'a secret needs at least 16 characters; leave it out to have one generated',
    ]);
  });
});

describe('a config directory without a server file', () => {
  it('loads with every server default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-schema-'));
    try {
      writeFileSync(join(dir, 'triggers.yaml'), 'triggers:\n  - id: t\n');
      expect(loadConfig(dir, {}).config.server).toEqual(SERVER_DEFAULTS);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the respond action', () => {
  it('takes a status (or a template), headers and a body, and refuses framing headers and a status out of range', () => {
    const parse = (respond: unknown) => triggerSchema.safeParse({ id: 't', respond: 'wait', actions: [{ respond }] });
    expect(parse({ status: 201, headers: { 'x-room': '{{ body.room }}' }, body: { ok: true } }).success).toBe(true);
    expect(parse({ status: '{{ body.status }}' }).success).toBe(true);
    expect(messages(parse({ headers: { 'Content-Length': '5' } }))).toEqual([
      'Content-Length is set by the server; leave it out',
    ]);
    expect(parse({ status: 100 }).success).toBe(false);
  });

  it('refuses a debounce_key without debounce and a rate_key without rate_limit, naming what to add', () => {
    expect(messages(triggerSchema.safeParse({ id: 't', debounce_key: '{{ body.camera }}' }))).toEqual([
      'debounce_key keeps one debounce window per value: give debounce too (such as debounce: 30s)',
    ]);
    expect(messages(triggerSchema.safeParse({ id: 't', rate_key: '{{ headers.x-tenant }}' }))).toEqual([
      'rate_key keeps one rate limit per value: give rate_limit too (such as { requests: 10, per: 1m })',
    ]);
  });

  it('reads idempotency presets and keys, and refuses a key that is no template', () => {
    expect(triggerSchema.parse({ id: 't', idempotency: 'github' }).idempotency).toEqual({
      key: '{{ headers.x-github-delivery }}',
      window: 86_400_000,
    });
    expect(triggerSchema.parse({ id: 't', idempotency: { preset: 'stripe', window: '72h' } }).idempotency).toEqual({
      key: '{{ body.id }}',
      window: 259_200_000,
    });
    expect(triggerSchema.safeParse({ id: 't', idempotency: { key: 'fixed' } }).success).toBe(false);
    expect(triggerSchema.safeParse({ id: 't', idempotency: { key: '{{ headers.a }}', preset: 'github' } }).success).toBe(false);
  });
});
