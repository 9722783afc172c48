// Three real engine processes on one PostgreSQL, behind the same config, as an operator
// runs a cluster: debounce (hold and throttle, and per key), idempotency keys and rate
// limits answer alike whichever node a request reaches, a once-a-second schedule fires each second once across the cluster, an exec
// to a module placed on another node answers as if local, and when the node holding the
// modules is killed mid-load no 2xx is lost, its modules start on another node within the
// lease time, and its runs and deliveries are finished by the others, each once.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIVE_WITHIN_MS } from '../../src/store/node-liveness.js';
import type { Store } from '../../src/store/store.js';
import { backendEnv, openBackendStore } from '../support/backend-store.js';
import { spawnEngine, type EngineProcess } from '../support/engine-process.js';
import { postgresAvailable, type Schema } from '../support/postgres.js';
import { runCli } from '../support/run-cli.js';

const S = 'cluster-secret-0123456789';
const VALIDATOR = 'cluster-validator-0123456789';

function config(receiverPort: number): string {
  return `
outbound:
  allow: [127.0.0.1]
systems:
  - id: sys-c
    modules:
      - driver: display
      - driver: meraki
        settings: { validator: ${VALIDATOR}, secret: meraki-cluster-secret-0123 }
triggers:
  - { id: hold, debounce: 1h }
  - { id: throttle, debounce: 1s, debounce_mode: throttle }
  - { id: keyed, idempotency: { key: "{{ headers.x-request-id }}", window: 1h } }
  - { id: percam, debounce: 1h, debounce_key: "{{ body.camera }}" }
  - { id: limited, rate_limit: { requests: 5, per: 1h } }
  - id: tick
    conditions:
      - schedule: "*/1 * * * * *"
  - id: work
    actions:
      - call: Display_1.power
        args: { state: true }
      - delay: 3s
  - { id: scan, methods: [GET, POST] }
  - id: powered
    conditions:
      - compare: { left: Display_1.power, op: equal, right: true }
instances:
  - { id: i-hold, trigger: hold, system: sys-c, secret: ${S} }
  - { id: i-throttle, trigger: throttle, system: sys-c, secret: ${S} }
  - { id: i-keyed, trigger: keyed, system: sys-c, secret: ${S} }
  - { id: i-percam, trigger: percam, system: sys-c, secret: ${S} }
  - { id: i-limited, trigger: limited, system: sys-c, secret: ${S} }
  - { id: i-tick, trigger: tick, system: sys-c, secret: ${S} }
  - { id: i-work, trigger: work, system: sys-c, secret: ${S} }
  - { id: i-scan, trigger: scan, system: sys-c, secret: ${S}, exec: true }
  - { id: i-powered, trigger: powered, system: sys-c, secret: ${S} }
subscriptions:
  - { id: sub-c, url: "http://127.0.0.1:${receiverPort}/hook", events: [trigger.fired] }
`;
}

let dir: string;
let schema: Schema | undefined;
let env: NodeJS.ProcessEnv;
let store: Store;
let receiver: Server;
const received: string[] = [];
const nodes: EngineProcess[] = [];

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const post = (node: EngineProcess, instance: string, body = '{}', headers: Record<string, string> = {}) =>
  fetch(`${node.url}/webhook/${instance}/notify?secret=${S}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  }).then(async (r) => ({
    status: r.status,
    retryAfter: r.headers.get('retry-after'),
    body: (await r.json()) as { fired?: boolean; run?: string; reason?: string },
  }));

describe.runIf(postgresAvailable)('a cluster of three nodes on one PostgreSQL', () => {
  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        received.push((JSON.parse(body) as { id: string }).id);
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    dir = mkdtempSync(join(tmpdir(), 'switchboard-cluster-'));
    const configDir = join(dir, 'config');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'site.yaml'), config((receiver.address() as AddressInfo).port));
    const target = await backendEnv('postgres');
    schema = target.schema;
    env = target.env;
    // One after another: the first takes every module's lease, as a cluster's first node does.
    for (const name of ['a', 'b', 'c']) nodes.push(await spawnEngine(configDir, join(dir, name), env));
    store = await openBackendStore(join(dir, 'a'), schema);
  }, 90_000);

  afterAll(async () => {
    for (const node of nodes) node.child.kill('SIGKILL');
    await store?.close();
    await new Promise((resolve) => receiver?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
    await schema?.drop();
  });

  it('fires once for 200 concurrent posts spread over the three nodes (hold)', async () => {
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => post(nodes[i % 3]!, 'i-hold')));
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect(answers.filter((a) => a.body.fired)).toHaveLength(1);
    expect((await store.runs.stats('i-hold'))?.trigger_count).toBe(1);
  });

  it('fires once per period across the nodes (throttle, 1 s)', async () => {
    const fired: number[] = [];
    const started = Date.now();
    const sends: Promise<void>[] = [];
    for (let i = 0; Date.now() - started < 3_200; i++) {
      sends.push(
        post(nodes[i % 3]!, 'i-throttle').then((a) => {
          expect(a.status).toBe(202);
          if (a.body.fired) fired.push(Date.now());
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    await Promise.all(sends);
    expect(fired.length).toBeGreaterThanOrEqual(3);
    expect(fired.length).toBeLessThanOrEqual(4);
    const runs = (await store.runs.list({ instanceId: 'i-throttle' })).map((r) => r.created_at).sort((a, b) => a - b);
    expect(runs).toHaveLength(fired.length);
    // The window is the database's: fires are a period apart by its clock, so nearly by ours.
    for (let i = 1; i < runs.length; i++) expect(runs[i]! - runs[i - 1]!).toBeGreaterThanOrEqual(900);
  });

  it('fires once for 60 concurrent sends of one idempotency key over the three nodes; the rest name that run', async () => {
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => post(nodes[i % 3]!, 'i-keyed', '{}', { 'x-request-id': 'evt-cluster-1' })),
    );
    const fired = answers.filter((a) => a.body.fired);
    expect(fired).toHaveLength(1);
    for (const a of answers.filter((x) => !x.body.fired))
      expect(a.body).toEqual({ fired: false, reason: 'duplicate', run: fired[0]!.body.run });
    expect((await store.runs.stats('i-keyed'))?.trigger_count).toBe(1);
  });

  it('keeps one debounce window per key across the nodes: three cameras, 60 posts, three fires', async () => {
    const cameras = ['lobby', 'garage', 'dock'];
    const answers = await Promise.all(
      Array.from({ length: 60 }, (_, i) => post(nodes[i % 3]!, 'i-percam', JSON.stringify({ camera: cameras[i % 3] }))),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect(answers.filter((a) => a.body.fired)).toHaveLength(3);
    // Which cameras fired: the request log keeps each fired request's body (its run keeps only what actions read).
    const logged = await store.requests.list({ instanceId: 'i-percam', limit: 100 });
    const fired = logged
      .filter((r) => r.outcome === 'fired')
      .map((r) => (JSON.parse(String(r.body ?? '{}')) as { camera: string }).camera);
    expect(fired.sort()).toEqual(['dock', 'garage', 'lobby']);
  });

  it('holds a rate limit of 5 an hour across the nodes: 5 of 40 concurrent posts pass, the rest get 429 with Retry-After', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => post(nodes[i % 3]!, 'i-limited')));
    expect(answers.filter((a) => a.status === 202)).toHaveLength(5);
    const limited = answers.filter((a) => a.status === 429);
    expect(limited).toHaveLength(35);
    // One request every 12 minutes after the burst: the next is due in about 720 s.
    for (const a of limited) expect(Number(a.retryAfter)).toBeGreaterThan(700);
  });

  it('answers an exec to a module placed on another node as if it were local', async () => {
    const leases = await store.cluster.leases();
    const holder = leases.find((l) => l.module === 'sys-c/Meraki_1')!;
    const others = nodes.filter((n) => n.url !== holder.url);
    expect(others).toHaveLength(2);
    for (const node of others) {
      const response = await fetch(`${node.url}/webhook/i-scan/notify?secret=${S}&exec=true&mod=Meraki&method=scanning`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(VALIDATOR);
    }
  });

  it('lists the three live nodes with the modules each runs and their leases (switchboard nodes)', async () => {
    const result = await runCli(
      ['nodes', '--config', join(dir, 'config'), '--data', join(dir, 'a'), '--json'],
      env as Record<string, string>,
    );
    expect(result.code).toBe(0);
    const listed = result.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            url: string;
            status: string;
            modules: { module: string; epoch: number; lease_left_ms: number }[];
          },
      );
    expect(
      listed
        .filter((n) => n.status === 'live')
        .map((n) => n.url)
        .sort(),
    ).toEqual(nodes.map((n) => n.url).sort());
    const placed = listed.flatMap((n) => n.modules);
    expect(placed.map((m) => m.module).sort()).toEqual(['sys-c/Display_1', 'sys-c/Meraki_1']);
    for (const m of placed) expect(m.lease_left_ms).toBeGreaterThan(0);
    const text = await runCli(
      ['nodes', '--config', join(dir, 'config'), '--data', join(dir, 'a')],
      env as Record<string, string>,
    );
    expect(text.stdout).toMatch(/ {2}modules: sys-c\/Display_1 \(epoch 1, lease \d+ s left\)/);
  });

  it('loses no 2xx when the node holding the modules is killed mid-load; the others take over its modules, runs and deliveries', async () => {
    const holderUrl = (await store.cluster.leases()).find((l) => l.module === 'sys-c/Display_1')!.url;
    const victim = nodes.find((n) => n.url === holderUrl)!;
    const survivors = nodes.filter((n) => n !== victim);
    const accepted: string[] = [];
    let stop = false;
    const streams = nodes.map(async (node) => {
      while (!stop && !(node === victim && victim.child.exitCode !== null)) {
        const answer = await post(node, 'i-work').catch(() => undefined);
        if (answer?.status === 202 && answer.body.run) accepted.push(answer.body.run);
        if (node === victim && victim.child.signalCode) return;
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    victim.child.kill('SIGKILL');
    await victim.exited;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    stop = true;
    await Promise.all(streams);
    expect(accepted.length).toBeGreaterThan(20);

    // Every 2xx is in the store, whichever node answered it.
    const runs = await store.runs.list({ instanceId: 'i-work', limit: 100_000 });
    const stored = new Set(runs.map((r) => r.id));
    expect(accepted.filter((id) => !stored.has(id))).toEqual([]);

    // Its modules start on a survivor within the lease time.
    const moved = await until(
      'Display_1 on a survivor',
      async () => {
        const lease = (await store.cluster.leases()).find((l) => l.module === 'sys-c/Display_1');
        return lease && lease.url !== victim.url && lease.lease_until >= Date.now() ? lease : undefined;
      },
      LIVE_WITHIN_MS + 15_000,
    );
    expect(moved.epoch).toBeGreaterThan(1);
    expect(survivors.map((n) => n.output()).join('')).toMatch(/took over a module from another node/);

    // Its runs are taken over and finished, each once; every run's event is delivered once.
    await until(
      'every run finished',
      async () =>
        (await store.runs.list({ instanceId: 'i-work', status: 'pending', limit: 1 })).length === 0 ? true : undefined,
      LIVE_WITHIN_MS + 30_000,
    );
    const finished = await store.runs.list({ instanceId: 'i-work', limit: 100_000 });
    expect(finished.every((r) => r.status === 'succeeded')).toBe(true);
    // Display_1.power became true once (the first run), on the node running it: one edge, one fire, cluster-wide.
    expect((await store.runs.stats('i-powered'))?.trigger_count).toBe(1);
    expect(survivors.map((n) => n.output()).join('')).toMatch(/took over runs from a node that stopped or fell silent/);
    await until(
      'every delivery sent',
      async () => ((await store.outbox.list({ status: 'pending', limit: 1 })).length === 0 ? true : undefined),
      LIVE_WITHIN_MS + 30_000,
    );
    const deliveries = await store.outbox.list({ limit: 100_000 });
    expect(deliveries.every((d) => d.status === 'succeeded')).toBe(true);
    expect(new Set(deliveries.map((d) => d.event_id)).size).toBe(deliveries.length);
    const events = new Set(received);
    expect(deliveries.filter((d) => !events.has(d.event_id))).toEqual([]);
  }, 120_000);

  it('fired the once-a-second schedule once per second across the cluster, none missed', async () => {
    const claimed = async () =>
      (await store.database.db.selectFrom('schedule_claims').select('due_at').orderBy('due_at').execute()).map((c) =>
        Number(c.due_at),
      );
    // At least 20 s of it, across the kill above, however long the suite took so far.
    const claims = await until(
      '20 s of the schedule',
      async () => {
        const all = await claimed();
        return all.length >= 20 ? all : undefined;
      },
      30_000,
    );
    const gaps = claims.slice(1).map((at, i) => at - claims[i]!);
    expect(gaps.filter((gap) => gap !== 1_000)).toEqual([]);
    // One fire per claim: what was claimed by the first read fired, and nothing beyond what is claimed now.
    const fires = (await store.runs.stats('i-tick'))?.trigger_count ?? 0;
    expect(fires).toBeGreaterThanOrEqual(claims.length);
    expect(fires).toBeLessThanOrEqual((await claimed()).length);
  }, 40_000);
});
