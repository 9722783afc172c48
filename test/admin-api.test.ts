// The admin listener through a real socket: health, readiness and metrics without a token;
// every /admin/v1 endpoint refused without a token (401) and with a weaker scope (403), and
// answering with the scope it needs; no secret in any answer below the admin scope, nor in
// the log; enable/disable as overrides that survive a reload and a restart and are cleared;
// redeliver and recover; reload; the live stream, resumed with Last-Event-ID.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeDriver } from './support/test-drivers.js';
import { Receiver } from './support/receiver.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const TOKENS = {
  read: 'read-token-0123456789abcdefghij',
  operate: 'operate-token-0123456789abcdefgh',
  admin: 'admin-token-0123456789abcdefghijk',
};
const TRIGGER_SECRET = 'door-secret-0123456789abcd';
const SIGNING = 'whsec_' + Buffer.from('admin-test-signing-key-0123456789').toString('base64');
const PROVIDER = 'provider-signing-secret-0123456789';

function site(receiver: Receiver, extra = ''): string {
  return `
admin:
  tokens:
    - { name: viewer, token: ${TOKENS.read}, scope: read }
    - { name: ops, token: ${TOKENS.operate}, scope: operate }
    - { name: root, token: ${TOKENS.admin}, scope: admin }
outbound:
  allow: [127.0.0.1]
systems:
  - { id: sys-a, modules: [{ driver: probe }] }
triggers:
  - id: pinged
    actions:
      - call: Probe_1.record
        args: { value: '{{ body.value }}', api_key: not-shown-anywhere }
      - emit: door.opened
  - id: signed
    signature: { scheme: github, secret: ${PROVIDER} }
${extra}
instances:
  - { id: door, trigger: pinged, system: sys-a, secret: ${TRIGGER_SECRET} }
  - { id: gate, trigger: pinged, system: sys-a }
  - { id: hub, trigger: signed, system: sys-a }
subscriptions:
  - id: hooks
    url: ${receiver.url('/hook')}
    events: [door.opened]
    secret: ${SIGNING}
    retry: [0]
  - id: audit
    url: ${receiver.url('/audit')}
    events: [trigger.fired]
    retry: [0]
`;
}

let t: TestEngine;
let receiver: Receiver;

beforeAll(async () => {
  receiver = await new Receiver().start();
  t = await startTestEngine({ extraDrivers: [probeDriver], files: { 'site.yaml': site(receiver) } });
  const fired = await notify('door', TRIGGER_SECRET, { value: 'first' });
  known.run = ((await fired.json()) as { run: string }).run;
  await t.engine.settled();
  await t.engine.outbound.worker.idle();
  known.request = (await t.engine.store.runs.get(known.run))!.request_id!;
  known.delivery = (await t.engine.store.outbox.list({ subscriptionId: 'hooks', limit: 1 }))[0]!.id;
  known.generation = t.engine.live.current.hash;
});
afterAll(async () => {
  await t.cleanup();
  await receiver.close();
});

const admin = (path: string) => `${t.engine.adminUrl}${path}`;

async function call(path: string, token?: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.body) headers.set('content-type', 'application/json');
  const res = await fetch(admin(path), { ...init, headers });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text.startsWith('{') ? (JSON.parse(text) as any) : undefined };
}

const notify = (instance: string, secret: string, body = { value: 'hello' }) =>
  fetch(t.url(`/webhook/${instance}/notify?secret=${secret}`), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('admin listener', () => {
  it('answers /healthz, /readyz and /metrics without a token, on its own port', async () => {
    expect(t.engine.adminUrl).toBeDefined();
    expect(t.engine.adminUrl).not.toBe(t.engine.url);
    expect((await call('/healthz')).json).toEqual({ ok: true });
    const ready = await call('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json.parts.admin).toMatchObject({ ok: true });
    const metrics = await call('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.text).toContain('switchboard_');
    // The trigger listener does not serve the admin API.
    expect((await fetch(t.url('/admin/v1/status'), { headers: { authorization: `Bearer ${TOKENS.admin}` } })).status).toBe(404);
  });

  it('refuses a call without a token or with an unknown one with 401 in the { error, message } shape', async () => {
    const none = await call('/admin/v1/status');
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ error: 'unauthorized', message: expect.stringContaining('Bearer') });
    expect(none.headers.get('www-authenticate')).toContain('Bearer');
    expect((await call('/admin/v1/status', 'not-a-token-0123456789abcdef')).status).toBe(401);
    expect((await call('/admin/v1/status', TOKENS.read.slice(0, -1))).status).toBe(401);
    const unknownPath = await call('/admin/v1/nothing-here', TOKENS.read);
    expect(unknownPath.status).toBe(404);
    expect(unknownPath.json.error).toBe('not_found');
  });
});

/** Every endpoint, the scope it needs and a call that succeeds with it. */
const ENDPOINTS: { method: string; path: string; scope: keyof typeof TOKENS; body?: unknown; ok: number }[] = [
  { method: 'GET', path: '/admin/v1/status', scope: 'read', ok: 200 },
  { method: 'GET', path: '/admin/v1/instances', scope: 'read', ok: 200 },
  { method: 'GET', path: '/admin/v1/instances/door', scope: 'read', ok: 200 },
  { method: 'GET', path: '/admin/v1/triggers', scope: 'read', ok: 200 },
  { method: 'GET', path: '/admin/v1/runs', scope: 'read', ok: 200 },
  { method: 'GET', path: '/admin/v1/requests', scope: 'read', ok: 200 },
  { method: 'GET', path: '/admin/v1/deliveries', scope: 'read', ok: 200 },
  { method: 'GET', path: '/admin/v1/subscriptions', scope: 'read', ok: 200 },
  { method: 'GET', path: '/admin/v1/events', scope: 'read', ok: 200 },
  { method: 'GET', path: '/admin/v1/overrides', scope: 'read', ok: 200 },
  { method: 'GET', path: '/admin/v1/config/generations', scope: 'read', ok: 200 },
  { method: 'POST', path: '/admin/v1/instances/door/fire', scope: 'operate', body: { dry_run: true }, ok: 200 },
  { method: 'POST', path: '/admin/v1/instances/gate/disable', scope: 'operate', ok: 200 },
  { method: 'POST', path: '/admin/v1/instances/gate/enable', scope: 'operate', ok: 200 },
  { method: 'DELETE', path: '/admin/v1/overrides/instance/gate/enabled', scope: 'operate', ok: 200 },
  { method: 'POST', path: '/admin/v1/deliveries/recover', scope: 'operate', body: { since: '1h' }, ok: 202 },
  { method: 'POST', path: '/admin/v1/subscriptions/hooks/enable', scope: 'operate', ok: 200 },
  { method: 'POST', path: '/admin/v1/config/reload', scope: 'operate', ok: 200 },
  { method: 'GET', path: '/admin/v1/runs/{run}', scope: 'read', ok: 200 },
  { method: 'GET', path: '/admin/v1/requests/{request}', scope: 'read', ok: 200 },
  { method: 'GET', path: '/admin/v1/deliveries/{delivery}', scope: 'read', ok: 200 },
  { method: 'GET', path: '/admin/v1/config/generations/{generation}', scope: 'read', ok: 200 },
  { method: 'POST', path: '/admin/v1/requests/{request}/replay', scope: 'operate', body: { dry_run: true }, ok: 200 },
  { method: 'POST', path: '/admin/v1/deliveries/{delivery}/redeliver', scope: 'operate', ok: 202 },
];

/** The ids the paths above name, of a fire made before the tests (a run, its request, its delivery, the generation). */
const known: Record<string, string> = {};
const filled = (path: string) => path.replace(/\{(\w+)\}/g, (_, name: string) => known[name]!);
const WEAKER = { read: undefined, operate: 'read', admin: 'operate' } as const;

describe('scopes', () => {
  it.each(ENDPOINTS)('$method $path: 401 without a token, 403 below $scope, $ok with it', async (e) => {
    const init = { method: e.method, body: e.body === undefined ? undefined : JSON.stringify(e.body) };
    const path = filled(e.path);
    expect((await call(path, undefined, init)).status).toBe(401);
    const weaker = WEAKER[e.scope];
    if (weaker) {
      const refused = await call(path, TOKENS[weaker], init);
      expect(refused.status).toBe(403);
      expect(refused.json).toEqual({ error: 'forbidden', message: expect.stringContaining(`the ${e.scope} scope`) });
    }
    const answered = await call(path, TOKENS[e.scope], init);
    expect(answered.status, answered.text).toBe(e.ok);
  });

  it('GET /admin/v1/stream: 401 without a token, a stream with the read scope', async () => {
    expect((await call('/admin/v1/stream')).status).toBe(401);
    const controller = new AbortController();
    const res = await fetch(admin('/admin/v1/stream'), {
      headers: { authorization: `Bearer ${TOKENS.read}` },
      signal: controller.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    controller.abort();
  });

  it('logs every admin call with the token name, never a token', async () => {
    await call('/admin/v1/status', TOKENS.operate);
    const calls = t.logs.lines.filter((l) => l.includes('"admin call"'));
    expect(calls.some((l) => l.includes('"admin":"ops"') && l.includes('/admin/v1/status'))).toBe(true);
    expect(calls.some((l) => l.includes('"admin":null') && l.includes('"status":401'))).toBe(true);
    for (const token of Object.values(TOKENS)) expect(t.logs.text()).not.toContain(token);
  });
});

describe('secrets', () => {
  it('shows trigger URLs with their secrets to the admin scope only, and nothing secret below it', async () => {
    expect((await notify('door', TRIGGER_SECRET)).status).toBe(202);
    await t.engine.settled();
    const gateSecret = await t.secret('gate');
    const secrets = [TRIGGER_SECRET, gateSecret, SIGNING, PROVIDER, 'not-shown-anywhere', ...Object.values(TOKENS)];
    const generation = (await call('/admin/v1/status', TOKENS.read)).json.config.hash;
    const runId = (await call('/admin/v1/runs?instance=door&limit=1', TOKENS.read)).json.runs[0].id;
    const requestId = (await call('/admin/v1/requests?instance=door&limit=1', TOKENS.read)).json.requests[0].id;
    const reads = [
      ...ENDPOINTS.filter((x) => x.method === 'GET').map((x) => filled(x.path)),
      `/admin/v1/config/generations/${generation}`,
      `/admin/v1/runs/${runId}`,
      `/admin/v1/requests/${requestId}`,
    ];
    for (const scope of ['read', 'operate'] as const)
      for (const path of reads) {
        const { text, status } = await call(path, TOKENS[scope]);
        expect(status, path).toBe(200);
        for (const secret of secrets) expect(text, `${path} as ${scope}`).not.toContain(secret);
      }
    const dry = await call('/admin/v1/instances/door/fire', TOKENS.operate, {
      method: 'POST',
      body: JSON.stringify({ dry_run: true }),
    });
    for (const secret of secrets) expect(dry.text).not.toContain(secret);
    // The YAML shown below the admin scope keeps its ${ENV} references and layout, not a literal secret.
    const files = (await call(`/admin/v1/config/generations/${generation}`, TOKENS.read)).json.files;
    expect(files['site.yaml']).toContain('secret: [redacted]');
    expect(files['site.yaml']).toContain('- id: pinged');
    expect((await call(`/admin/v1/config/generations/${generation}`, TOKENS.admin)).json.files['site.yaml']).toContain(
      TRIGGER_SECRET,
    );
    const asRead = (await call('/admin/v1/instances/door', TOKENS.read)).json;
    expect(asRead.url).toBe(`${t.engine.url}/webhook/door/notify`);
    const asAdmin = (await call('/admin/v1/instances/gate', TOKENS.admin)).json;
    expect(asAdmin.url).toBe(`${t.engine.url}/webhook/gate/notify?secret=${encodeURIComponent(gateSecret)}`);
    // The URL the admin scope copies is the one that works.
    const fired = await fetch(asAdmin.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(fired.status).toBe(202);
    // The admin scope sees URLs, still never a subscription's or a provider's secret.
    for (const path of reads.filter((p) => !p.includes('/config/generations/'))) {
      const { text } = await call(path, TOKENS.admin);
      for (const secret of [SIGNING, PROVIDER, 'not-shown-anywhere', ...Object.values(TOKENS)])
        expect(text).not.toContain(secret);
    }
  });
});

describe('instances, runs and requests', () => {
  it('lists instances with their live state, and a run with its actions in order', async () => {
    expect((await notify('door', TRIGGER_SECRET, { value: 'traced' })).status).toBe(202);
    await t.engine.settled();
    const door = (await call('/admin/v1/instances/door', TOKENS.read)).json;
    expect(door).toMatchObject({ id: 'door', trigger: 'pinged', system: 'sys-a', enabled: true, reachable: true });
    expect(door.trigger_count).toBeGreaterThanOrEqual(1);
    expect(door.last_fired_at).toMatch(/^\d{4}-/);
    const runs = (await call('/admin/v1/runs?instance=door&limit=1', TOKENS.read)).json.runs;
    expect(runs).toHaveLength(1);
    const run = (await call(`/admin/v1/runs/${runs[0].id}`, TOKENS.read)).json;
    expect(run).toMatchObject({ instance: 'door', status: 'succeeded', input: { body: { value: 'traced' } } });
    expect(run.trace.actions.map((a: any) => a.target)).toEqual(['Probe_1.record', 'door.opened']);
    const requests = (await call('/admin/v1/requests?instance=door&outcome=fired&limit=1', TOKENS.read)).json.requests;
    expect(requests[0]).toMatchObject({ instance: 'door', outcome: 'fired', run: runs[0].id, body: '{"value":"traced"}' });
    expect(requests[0].path).not.toContain(TRIGGER_SECRET);
    expect((await call(`/admin/v1/requests/${requests[0].id}`, TOKENS.read)).json.id).toBe(requests[0].id);
  });

  it('answers a bad filter or an unknown id with a clear error naming it', async () => {
    const badStatus = await call('/admin/v1/runs?status=sideways', TOKENS.read);
    expect(badStatus.status).toBe(400);
    expect(badStatus.json).toMatchObject({ error: 'bad_request', message: expect.stringContaining('status') });
    expect((await call('/admin/v1/runs?colour=red', TOKENS.read)).json.message).toContain('unknown query parameter: colour');
    expect((await call('/admin/v1/runs?since=yesterdayish', TOKENS.read)).json.message).toContain('since');
    expect((await call('/admin/v1/runs?limit=100000', TOKENS.read)).status).toBe(400);
    expect((await call('/admin/v1/runs/run_nope', TOKENS.read)).status).toBe(404);
    const unknown = await call('/admin/v1/instances/nope/disable', TOKENS.operate, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(unknown.json.message).toContain('door');
    const notJson = await call('/admin/v1/deliveries/recover', TOKENS.operate, { method: 'POST', body: '{since' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.message).toContain('JSON');
  });
});

describe('overrides', () => {
  it('a disable from the API survives a reload and a restart, and clearing it gives the YAML back', async () => {
    const disabled = await call('/admin/v1/instances/door/disable', TOKENS.operate, { method: 'POST' });
    expect(disabled.json).toMatchObject({ id: 'door', enabled: false, reachable: false });
    expect((await notify('door', TRIGGER_SECRET)).status).toBe(404);
    const listed = (await call('/admin/v1/overrides', TOKENS.read)).json.overrides;
    expect(listed).toEqual([
      expect.objectContaining({ name: 'instance/door/enabled', value: false, yaml: true, effect: 'shadows', set_by: 'ops' }),
    ]);
    // A reload that changes the YAML keeps the override, and says it shadows the YAML.
    writeFileSync(join(t.configDir, 'site.yaml'), site(receiver, '  - id: spare\n'));
    const reloaded = await call('/admin/v1/config/reload', TOKENS.operate, { method: 'POST' });
    expect(reloaded.json).toMatchObject({ result: 'applied', shadowed: [expect.stringContaining('instance/door/enabled')] });
    expect((await notify('door', TRIGGER_SECRET)).status).toBe(404);
    t = await t.restart();
    expect((await notify('door', TRIGGER_SECRET)).status).toBe(404);
    expect((await call('/admin/v1/instances/door', TOKENS.read)).json.enabled).toBe(false);
    const cleared = await call('/admin/v1/overrides/instance/door/enabled', TOKENS.operate, { method: 'DELETE' });
    expect(cleared.json).toMatchObject({ cleared: 'instance/door/enabled', yaml: true });
    expect((await notify('door', TRIGGER_SECRET)).status).toBe(202);
    expect((await call('/admin/v1/overrides', TOKENS.read)).json.overrides).toEqual([]);
    expect((await call('/admin/v1/overrides/instance/door/enabled', TOKENS.operate, { method: 'DELETE' })).status).toBe(404);
  });
});

describe('traces, test fires and replays', () => {
  it('a run’s trace says why it started, what each action was called with, its result and the deliveries of its event', async () => {
    receiver.fallback = { status: 200, body: 'ok' };
    const fired = await notify('door', TRIGGER_SECRET, { value: 'with a trace' });
    const { run } = (await fired.json()) as { run: string };
    await t.engine.settled();
    await t.engine.outbound.worker.idle();
    const { trace } = (await call(`/admin/v1/runs/${run}`, TOKENS.read)).json;
    expect(trace).toMatchObject({
      cause: 'webhook',
      decision: 'fired: no debounce; mode parallel',
      conditions: [],
      generation: { hash: (await call('/admin/v1/status', TOKENS.read)).json.config.hash },
    });
    expect(trace.request).toMatch(/^req_/);
    const [record, emit] = trace.actions;
    // Templated arguments are kept as resolved, secret-looking ones redacted; the result is the module's own.
    expect(record).toMatchObject({
      target: 'Probe_1.record',
      status: 'succeeded',
      args_from: 'resolved',
      args: { value: 'with a trace', api_key: '[redacted]' },
    });
    expect(emit).toMatchObject({ target: 'door.opened', args: {}, args_from: 'config', event: expect.stringMatching(/^evt_/) });
    expect(emit.deliveries).toEqual([expect.objectContaining({ subscription: 'hooks', status: 'succeeded' })]);
    // The fire's own trigger.fired event, kept because a subscription listens for it, and its delivery.
    expect(trace.fired).toEqual({
      event: expect.stringMatching(/^evt_/),
      deliveries: [expect.objectContaining({ subscription: 'audit', status: 'succeeded' })],
    });
    expect(record.offset_ms).toBeGreaterThanOrEqual(0);
  });

  it('a dry test fire reports the conditions and what each action would be called with, calling nothing', async () => {
    const before = (await call('/admin/v1/instances/door', TOKENS.read)).json.trigger_count;
    const dry = await call('/admin/v1/instances/door/fire', TOKENS.operate, {
      method: 'POST',
      body: JSON.stringify({ body: { value: 'dry' }, dry_run: true }),
    });
    expect(dry.status).toBe(200);
    expect(dry.json).toEqual({
      fired: false,
      dry_run: true,
      conditions: [],
      would_fire: true,
      actions: [
        { position: 0, kind: 'call', target: 'Probe_1.record', args: { value: 'dry', api_key: '[redacted]' } },
        { position: 1, kind: 'emit', target: 'door.opened', args: {} },
      ],
    });
    expect((await call('/admin/v1/instances/door', TOKENS.read)).json.trigger_count).toBe(before);
    const real = await call('/admin/v1/instances/door/fire', TOKENS.operate, {
      method: 'POST',
      body: JSON.stringify({ body: { value: 'test' } }),
    });
    expect(real.status).toBe(202);
    await t.engine.settled();
    const traced = (await call(`/admin/v1/runs/${real.json.run}`, TOKENS.read)).json;
    expect(traced).toMatchObject({ status: 'succeeded', trace: { cause: 'test', request: null } });
  });

  it('replays a logged request with the original and the current config: two different traces', async () => {
    const fired = await notify('door', TRIGGER_SECRET, { value: 'replayed' });
    const { run } = (await fired.json()) as { run: string };
    await t.engine.settled();
    const request = (await call(`/admin/v1/runs/${run}`, TOKENS.read)).json.request;
    // The trigger's actions change: Probe_1.record is now followed by Probe_1.fail, and nothing is emitted.
    writeFileSync(
      join(t.configDir, 'site.yaml'),
      site(receiver).replace('      - emit: door.opened\n', '      - call: Probe_1.record\n        args: { value: second }\n'),
    );
    expect((await call('/admin/v1/config/reload', TOKENS.operate, { method: 'POST' })).json.result).toBe('applied');
    const replay = async (config: string, dry_run = false) =>
      call(`/admin/v1/requests/${request}/replay`, TOKENS.operate, { method: 'POST', body: JSON.stringify({ config, dry_run }) });
    const original = await replay('original');
    const current = await replay('current');
    expect(original.status).toBe(202);
    expect(current.status).toBe(202);
    expect(original.json.generation).not.toBe(current.json.generation);
    await t.engine.settled();
    const traceOf = async (id: string) => (await call(`/admin/v1/runs/${id}`, TOKENS.read)).json;
    const then = await traceOf(original.json.run);
    const now = await traceOf(current.json.run);
    expect(then.trace.actions.map((a: any) => a.target)).toEqual(['Probe_1.record', 'door.opened']);
    expect(now.trace.actions.map((a: any) => a.target)).toEqual(['Probe_1.record', 'Probe_1.record']);
    expect(then.trace).toMatchObject({
      cause: 'replay',
      replay: { request, config: 'original' },
      generation: { hash: original.json.generation },
    });
    expect(now.trace).toMatchObject({
      cause: 'replay',
      replay: { request, config: 'current' },
      generation: { hash: current.json.generation },
    });
    // Both read the stored body, as the first run did.
    expect(then.trace.actions[0].args.value).toBe('replayed');
    expect(now.trace.actions[1].args).toEqual({ value: 'second' });
    const dry = await replay('original', true);
    expect(dry.json.actions.map((a: any) => a.target)).toEqual(['Probe_1.record', 'door.opened']);
    expect((await replay('yesterday')).json.message).toContain('original');
    writeFileSync(join(t.configDir, 'site.yaml'), site(receiver));
    expect((await call('/admin/v1/config/reload', TOKENS.operate, { method: 'POST' })).json.result).toBe('applied');
  });
});

describe('deliveries', () => {
  it('redelivers a failed delivery, which then succeeds, and recovers every failed one since a time', async () => {
    receiver.fallback = { status: 500, body: 'down' };
    expect((await notify('door', TRIGGER_SECRET)).status).toBe(202);
    await t.engine.settled();
    await t.engine.outbound.worker.idle();
    const failed = (await call('/admin/v1/deliveries?status=failed&subscription=hooks&limit=1', TOKENS.read)).json.deliveries;
    expect(failed[0]).toMatchObject({ subscription: 'hooks', status: 'failed', type: 'door.opened' });
    receiver.fallback = { status: 200, body: 'ok' };
    const queued = await call(`/admin/v1/deliveries/${failed[0].id}/redeliver`, TOKENS.operate, { method: 'POST' });
    expect(queued.status).toBe(202);
    expect(queued.json).toMatchObject({ id: failed[0].id, status: 'pending', was: 'failed' });
    await t.engine.outbound.worker.idle();
    const after = (await call(`/admin/v1/deliveries/${failed[0].id}`, TOKENS.read)).json;
    expect(after.status).toBe('succeeded');
    expect(after.attempts.map((a: any) => a.status_code)).toEqual([500, 200]);

    receiver.fallback = { status: 500, body: 'down' };
    for (let i = 0; i < 2; i++) expect((await notify('door', TRIGGER_SECRET)).status).toBe(202);
    await t.engine.settled();
    await t.engine.outbound.worker.idle();
    receiver.fallback = { status: 200, body: 'ok' };
    const recovered = await call('/admin/v1/deliveries/recover', TOKENS.operate, {
      method: 'POST',
      body: JSON.stringify({ since: '10m' }),
    });
    expect(recovered.json.queued).toBeGreaterThanOrEqual(2);
    await t.engine.outbound.worker.idle();
    expect((await call('/admin/v1/deliveries?status=failed', TOKENS.read)).json.deliveries).toEqual([]);
    expect((await call('/admin/v1/deliveries/recover', TOKENS.operate, { method: 'POST', body: '{}' })).json.message).toContain(
      'since',
    );
  });
});

describe('reload', () => {
  it('answers a refused reload with 422, every problem, and the generation that goes on serving', async () => {
    writeFileSync(
      join(t.configDir, 'site.yaml'),
      site(receiver).replace('trigger: pinged, system: sys-a, secret', 'trigger: missing, system: sys-a, secret'),
    );
    const refused = await call('/admin/v1/config/reload', TOKENS.operate, { method: 'POST' });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({
      error: 'reload_refused',
      result: 'refused',
      problems: [expect.stringContaining('missing')],
    });
    writeFileSync(join(t.configDir, 'site.yaml'), site(receiver));
  });
});

type Sent = { id: string; event: string; data: any };

/** Opens the stream (its cursor is set once the answer's headers are here); `read` takes events until `until` has what it waits for. */
async function openStream(path: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const deadline = setTimeout(() => controller.abort(), 10_000);
  const res = await fetch(admin(path), {
    headers: { authorization: `Bearer ${TOKENS.read}`, ...headers },
    signal: controller.signal,
  });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  return {
    async read(until: (events: Sent[]) => boolean): Promise<Sent[]> {
      const events: Sent[] = [];
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        while (!until(events)) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const field = (name: string) =>
              block
                .split('\n')
                .find((l) => l.startsWith(`${name}: `))
                ?.slice(name.length + 2);
            if (field('data') !== undefined)
              events.push({ id: field('id')!, event: field('event')!, data: JSON.parse(field('data')!) });
          }
        }
      } finally {
        clearTimeout(deadline);
        controller.abort();
      }
      return events;
    },
  };
}

describe('live stream', () => {
  it('sends requests and runs as they happen, and resumes after the last event it sent', async () => {
    // Fired once the stream is open: its cursor starts when it connects.
    const stream = await openStream('/admin/v1/stream?topics=requests,runs');
    expect((await notify('door', TRIGGER_SECRET, { value: 'streamed' })).status).toBe(202);
    const seen = await stream.read((events) => events.some((e) => e.event === 'runs' && e.data.status === 'succeeded'));
    const request = seen.find((e) => e.event === 'requests')!;
    expect(request.data).toMatchObject({ instance: 'door', outcome: 'fired' });
    const run = seen.find((e) => e.event === 'runs' && e.data.status === 'succeeded')!;
    expect(run.data.id).toBe(request.data.run);

    // Another request while the client is away; resuming from the last event sends it, and not the ones before.
    expect((await notify('gate', await t.secret('gate'))).status).toBe(202);
    await t.engine.settled();
    const resumed = await (
      await openStream('/admin/v1/stream?topics=requests', { 'last-event-id': request.id })
    ).read((events) => events.some((e) => e.data.instance === 'gate'));
    expect(resumed.map((e) => e.data.id)).not.toContain(request.data.id);
    expect(
      resumed.filter((e) => e.data.instance === 'gate'),
      JSON.stringify(resumed),
    ).toHaveLength(1);
    expect((await call('/admin/v1/stream?topics=weather', TOKENS.read)).json.message).toContain('unknown topic weather');
  });
});
