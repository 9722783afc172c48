// GET /metrics through a real listening server, parsed with a Prometheus text-format parser
// and checked against known traffic: requests by instance and outcome, fire latency, runs
// and action errors by trigger, deliveries by result, the outbox, modules, the database,
// Node's own metrics; schedule fires on an injected clock; and who may read it.
import parsePrometheusTextFormat, { type Family } from 'parse-prometheus-text-format';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { Receiver } from './support/receiver.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'metrics-secret-0123456789';

interface Scraped {
  families: Family[];
  text: string;
}

async function scrape(t: TestEngine): Promise<Scraped> {
  const response = await fetch(t.url('/metrics'));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  // The parser throws on any line that is not the text format.
  return { families: parsePrometheusTextFormat(text), text };
}

const labelled = (labels: Record<string, string> | undefined, want: Record<string, string>) =>
  Object.entries(want).every(([k, v]) => labels?.[k] === v);

/**
 * The value of the counter or gauge `name` whose labels include `labels`; for a histogram,
 * its observation count (read from its `_count` line: the parser folds a labelled
 * histogram's series together and loses their labels).
 */
function sample({ families, text }: Scraped, name: string, labels: Record<string, string> = {}): number | undefined {
  const family = families.find((f) => f.name === name);
  if (family?.type === 'HISTOGRAM') {
    for (const line of text.split('\n')) {
      const match = new RegExp(`^${name}_count(?:\\{(.*)\\})? (\\S+)$`).exec(line);
      if (!match) continue;
      const found = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
      if (labelled(found, labels)) return Number(match[2]);
    }
    return undefined;
  }
  const found = family?.metrics.find((m) => labelled(m.labels, labels));
  return found ? Number(found.value) : undefined;
}

function post(t: TestEngine, path: string, body: unknown = {}): Promise<Response> {
  return fetch(t.url(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

describe('/metrics after known traffic', () => {
  const good = new Receiver();
  const down = new Receiver();
  let t: TestEngine;

  beforeAll(async () => {
    await good.start();
    await down.start();
    down.fallback = { status: 500, body: 'no' };
    t = await startTestEngine({
      files: {
        'site.yaml': `
outbound:
  allow: [127.0.0.1]
systems:
  - id: sys-m
    modules: [{ driver: display }]
triggers:
  - id: t-ok
    actions: [{ call: Display_1.power, args: { state: true } }]
  - id: t-bad
    actions: [{ call: Display_1.power, args: { state: "{{ body.state }}" } }]
  - id: t-slow
    debounce: 1m
    actions: [{ call: Display_1.power, args: { state: true } }]
instances:
  - { id: inst-ok, trigger: t-ok, system: sys-m, secret: ${SECRET} }
  - { id: inst-bad, trigger: t-bad, system: sys-m, secret: ${SECRET} }
  - { id: inst-slow, trigger: t-slow, system: sys-m, secret: ${SECRET} }
subscriptions:
  - { id: sub-good, url: "${good.url()}", events: [trigger.fired] }
  - { id: sub-retrying, url: "${down.url()}", events: [trigger.fired], retry: [0s, 1h] }
  - { id: sub-exhausted, url: "${down.url()}", events: [trigger.fired], retry: [0s] }
`,
      },
    });
    for (let i = 0; i < 3; i++) expect((await post(t, `/webhook/inst-ok/notify?secret=${SECRET}`)).status).toBe(202);
    expect((await post(t, `/webhook/inst-bad/notify?secret=${SECRET}`, { state: 'not a boolean' })).status).toBe(202);
    expect((await post(t, `/webhook/inst-slow/notify?secret=${SECRET}`)).status).toBe(202);
    expect(await (await post(t, `/webhook/inst-slow/notify?secret=${SECRET}`)).json()).toMatchObject({ reason: 'debounced' });
    expect((await post(t, `/webhook/inst-ok/notify?secret=wrong`)).status).toBe(404);
    expect((await post(t, `/webhook/no-such-instance/notify?secret=${SECRET}`)).status).toBe(404);
    await t.engine.settled();
    // Five trigger.fired events, each to three subscriptions.
    await vi.waitFor(() => expect(good.requests.length).toBe(5), { timeout: 10_000 });
    await vi.waitFor(
      async () =>
        expect(sample(await scrape(t), 'switchboard_deliveries_exhausted_total', { subscription: 'sub-exhausted' })).toBe(5),
      { timeout: 10_000 },
    );
  });

  afterAll(async () => {
    await t.cleanup();
    await good.close();
    await down.close();
  });

  it('counts requests by instance and outcome, an unknown instance under one label, and times the fires', async () => {
    const m = await scrape(t);
    const requests = (labels: Record<string, string>) => sample(m, 'switchboard_inbound_requests_total', labels);
    expect(requests({ instance: 'inst-ok', outcome: 'fired' })).toBe(3);
    expect(requests({ instance: 'inst-bad', outcome: 'fired' })).toBe(1);
    expect(requests({ instance: 'inst-slow', outcome: 'fired' })).toBe(1);
    expect(requests({ instance: 'inst-slow', outcome: 'debounced' })).toBe(1);
    expect(requests({ instance: 'inst-ok', outcome: 'not_found' })).toBe(1);
    expect(requests({ instance: '(unknown)', outcome: 'not_found' })).toBe(1);
    expect(m.families.find((f) => f.name === 'switchboard_inbound_requests_total')!.metrics).toHaveLength(6);
    expect(sample(m, 'switchboard_fire_latency_seconds', { instance: 'inst-ok' })).toBe(3);
    expect(sample(m, 'switchboard_fire_latency_seconds', { instance: 'inst-slow' })).toBe(1);
  });

  it('counts runs by trigger and status, their durations and failed actions', async () => {
    const m = await scrape(t);
    expect(sample(m, 'switchboard_runs_total', { trigger: 't-ok', status: 'succeeded' })).toBe(3);
    expect(sample(m, 'switchboard_runs_total', { trigger: 't-bad', status: 'failed' })).toBe(1);
    expect(sample(m, 'switchboard_runs_total', { trigger: 't-slow', status: 'succeeded' })).toBe(1);
    expect(sample(m, 'switchboard_run_duration_seconds', { trigger: 't-ok' })).toBe(3);
    expect(sample(m, 'switchboard_action_errors_total', { trigger: 't-bad' })).toBe(1);
    expect(sample(m, 'switchboard_action_errors_total', { trigger: 't-ok' })).toBeUndefined();
  });

  it('counts delivery attempts by result, exhausted deliveries, and shows what the outbox holds', async () => {
    const m = await scrape(t);
    const attempts = (subscription: string, result: string) =>
      sample(m, 'switchboard_delivery_attempts_total', { subscription, result });
    expect(attempts('sub-good', 'delivered')).toBe(5);
    expect(attempts('sub-retrying', 'retrying')).toBe(5);
    expect(attempts('sub-exhausted', 'exhausted')).toBe(5);
    expect(sample(m, 'switchboard_deliveries_exhausted_total', { subscription: 'sub-exhausted' })).toBe(5);
    expect(sample(m, 'switchboard_outbox_pending', { subscription: 'sub-retrying' })).toBe(5);
    expect(sample(m, 'switchboard_outbox_pending', { subscription: 'sub-good' })).toBeUndefined();
    expect(sample(m, 'switchboard_outbox_oldest_pending_age_seconds', { subscription: 'sub-retrying' })).toBeGreaterThanOrEqual(
      0,
    );
  });

  it('shows each module by status, the database size and Node’s own metrics', async () => {
    const m = await scrape(t);
    expect(sample(m, 'switchboard_module_status', { system: 'sys-m', module: 'Display_1', status: 'running' })).toBe(1);
    expect(sample(m, 'switchboard_module_status', { system: 'sys-m', module: 'Display_1', status: 'failed' })).toBe(0);
    // A module without a device link has no connection to show.
    expect(sample(m, 'switchboard_module_connected', { system: 'sys-m', module: 'Display_1' })).toBeUndefined();
    expect(sample(m, 'switchboard_database_bytes')).toBeGreaterThan(4096);
    expect(sample(m, 'nodejs_eventloop_lag_p99_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(m, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('takes no request of its own into the trigger counts', async () => {
    await scrape(t);
    const m = await scrape(t);
    expect(sample(m, 'switchboard_inbound_requests_total', { instance: 'inst-ok', outcome: 'fired' })).toBe(3);
  });
});

describe('/metrics and schedules', () => {
  let t: TestEngine | undefined;
  afterEach(async () => t?.cleanup());

  it('counts a schedule that came due, and how late it was handled', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    t = await startTestEngine({
      clock,
      files: {
        'site.yaml': `
systems:
  - id: sys-s
    modules: [{ driver: display }]
triggers:
  - id: t-at
    conditions: [{ at: ["2026-01-01T00:01:00Z"] }]
    actions: [{ call: Display_1.power, args: { state: true } }]
instances:
  - { id: inst-at, trigger: t-at, system: sys-s }
`,
      },
    });
    clock.advance(60_000);
    await t.engine.settled();
    const m = await scrape(t);
    expect(sample(m, 'switchboard_schedule_fires_total', { instance: 'inst-at', cause: 'schedule' })).toBe(1);
    expect(sample(m, 'switchboard_schedule_lag_seconds')).toBe(1);
    expect(sample(m, 'switchboard_runs_total', { trigger: 't-at', status: 'succeeded' })).toBe(1);
  });
});

describe('who may read /metrics', () => {
  let t: TestEngine | undefined;
  afterEach(async () => t?.cleanup());

  it.each([
    ['an address outside metrics_allow_from', '[10.0.0.0/8]'],
    ['anyone, when metrics_allow_from is empty', '[]'],
  ])('answers %s with the 404 of an unknown path', async (_, list) => {
    t = await startTestEngine({
      files: { 'site.yaml': `server:\n  metrics_allow_from: ${list}\nsystems: []\ntriggers: []\ninstances: []\n` },
    });
    const response = await fetch(t.url('/metrics'));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: 'not_found' });
  });
});
