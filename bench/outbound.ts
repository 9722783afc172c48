// Outbound throughput benchmark: how fast the durable outbox delivers webhooks, next to a
// plain loop of fetch POSTs at the same concurrency (the baseline the aim is measured
// against) and, as a reference, the same loop with node:http; all to the same local receiver.
//
//   npm run bench:outbound                         5000 deliveries per path
//   BENCH_DELIVERIES=3000 node dist/bench/outbound.js --json
//
// Env: BENCH_DELIVERIES (default 5000), BENCH_WARMUP_DELIVERIES (default 200, not counted),
// BENCH_CONCURRENCY (default 8, the engine's outbound.concurrency default), BENCH_TIMEOUT_SECONDS
// (default 120, per path), BENCH_BASELINE (0 skips the fetch baseline and the node:http
// reference, e.g. to profile the outbox alone), BENCH_LOG_LEVEL (engine log level, default silent).
// Only ever talks to 127.0.0.1; everything it writes lives in one temp dir it deletes.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { registryOf } from '../src/drivers/registry.js';
import { startEngine, type Engine } from '../src/engine.js';
import { randomIds } from '../src/ids.js';
import { createLogger } from '../src/logger.js';
import { envelopeOf, type EngineEvent, type Envelope } from '../src/outbound/event.js';
import { fmt } from './support/format.js';
import { cleanupOnInterrupt, closers, runBench } from './support/lifecycle.js';
import { HOST, listenLocally } from './support/listen.js';
import { log } from './support/log.js';
import { describeMachine, machineHeader, machineNote } from './support/machine.js';
import { percentile } from './support/percentile.js';
import { integerSetting, JSON_OUTPUT, LOG_LEVEL } from './support/settings.js';
import { table } from './support/table.js';
import { benchTempDir } from './support/tempdir.js';

/** A whole-number setting: at least 1, or at least 0 when `zeroOk`. */
function count(name: string, fallback: number, zeroOk = false): number {
  return integerSetting(name, fallback, zeroOk ? 0 : 1, `${name}: expected a ${zeroOk ? 'non-negative' : 'positive'} integer`);
}

const DELIVERIES = count('BENCH_DELIVERIES', 5000);
const WARMUP = count('BENCH_WARMUP_DELIVERIES', 200, true);
const CONCURRENCY = count('BENCH_CONCURRENCY', 8);
const TIMEOUT_MS = count('BENCH_TIMEOUT_SECONDS', 120) * 1000;
const WITH_BASELINE = process.env.BENCH_BASELINE !== '0';

// Aim: the durable outbox keeps at least 0.6 of a plain fetch loop's deliveries per second.
const AIM_RATIO = 0.6;

const EVENT_TYPE = 'bench.tick';
const SUBSCRIPTION_ID = 'sub-bench';
const SYSTEM_ID = 'sys-bench';
const SIGNING_SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const TARGET_BODY_BYTES = 300;

cleanupOnInterrupt();

// ---- the payload: an event's data, padded so the envelope is about 300 bytes ----

let padding = '';

function dataFor(seq: number): Record<string, unknown> {
  return { seq, room: 'lobby', sensor: 'pir-3', reading: { motion: true, lux: 312.5, battery: 0.87 }, note: padding };
}

function sizePayload(): number {
  const sample = () =>
    JSON.stringify(envelopeOf({ id: randomIds.next('evt'), type: EVENT_TYPE, created: Date.now(), data: dataFor(DELIVERIES) }, 1))
      .length;
  padding = 'x'.repeat(Math.max(0, TARGET_BODY_BYTES - sample()));
  return sample();
}

// ---- the receiver: bare node:http, reads the body, records it, answers 200 ----

interface Arrival {
  /** The webhook-id header. */
  id: string;
  /** Date.now() when the body was read (the envelope's `created` has ms resolution too). */
  at: number;
  body: string;
  timestamp: string;
  signature: string;
}

interface Receiver {
  url: string;
  /** What arrived since the last take(), and starts a new record. */
  take(): Arrival[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  let arrivals: Arrival[] = [];
  const header = (value: string | string[] | undefined) => (typeof value === 'string' ? value : '');
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      arrivals.push({
        id: header(req.headers['webhook-id']),
        at: Date.now(),
        body: Buffer.concat(chunks).toString('utf8'),
        timestamp: header(req.headers['webhook-timestamp']),
        signature: header(req.headers['webhook-signature']),
      });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  const listening = await listenLocally(server, 30_000);
  return {
    url: `${listening.url}/hook`,
    take() {
      const taken = arrivals;
      arrivals = [];
      return taken;
    },
    close: () => listening.close(),
  };
}

// ---- measuring helpers ----

interface Latency {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function latencyOf(values: number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99), maxMs: sorted.at(-1) ?? NaN };
}

/** What the receiver saw in one phase, checked against what was sent. */
function checkArrivals(
  arrivals: Arrival[],
  expected: Set<string> | undefined,
  expectedCount: number,
  verify: Webhook | undefined,
  problems: string[],
): { distinct: number; latencyFromCreated: number[] } {
  const seen = new Set<string>();
  let duplicates = 0;
  let badBodies = 0;
  let badSignatures = 0;
  let unexpected = 0;
  const latencyFromCreated: number[] = [];
  for (const a of arrivals) {
    if (seen.has(a.id)) duplicates++;
    seen.add(a.id);
    if (expected && !expected.has(a.id)) unexpected++;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(a.body) as Envelope;
    } catch {
      badBodies++;
      continue;
    }
    if (envelope.id !== a.id || envelope.type !== EVENT_TYPE || envelope.attempt !== 1) badBodies++;
    latencyFromCreated.push(a.at - Date.parse(envelope.created));
    if (verify) {
      try {
        verify.verify(a.body, { 'webhook-id': a.id, 'webhook-timestamp': a.timestamp, 'webhook-signature': a.signature });
      } catch {
        badSignatures++;
      }
    }
  }
  if (arrivals.length !== expectedCount) problems.push(`the receiver got ${arrivals.length} requests, expected ${expectedCount}`);
  if (seen.size !== expectedCount) problems.push(`the receiver saw ${seen.size} distinct webhook-ids, expected ${expectedCount}`);
  if (duplicates > 0) problems.push(`${duplicates} webhook-ids arrived more than once`);
  if (unexpected > 0) problems.push(`${unexpected} requests carried a webhook-id that was not sent`);
  if (expected) {
    const missing = [...expected].filter((id) => !seen.has(id)).length;
    if (missing > 0) problems.push(`${missing} events never reached the receiver`);
  }
  if (badBodies > 0)
    problems.push(`${badBodies} bodies were not the expected envelope (id = webhook-id, type ${EVENT_TYPE}, attempt 1)`);
  if (badSignatures > 0) problems.push(`${badSignatures} signatures did not verify with the subscription's secret`);
  return { distinct: seen.size, latencyFromCreated };
}

// ---- 1. the baseline: a plain loop of fetch POSTs, CONCURRENCY at a time (and the node:http reference) ----

interface LoopResult {
  deliveries: number;
  seconds: number;
  deliveriesPerSec: number;
  /** fetch until the response body is read. */
  roundTrip: Latency;
  /** created (body built) until the receiver read it, ms resolution. */
  createdToReceived: Latency;
  loopBusy: number;
  busyUsPerDelivery: number;
  non200: number;
  errors: number;
  receiverDistinctIds: number;
  problems: string[];
  flagged: boolean;
}

async function fetchLoop(
  url: string,
  total: number,
): Promise<{
  ms: number;
  roundTrips: number[];
  non200: number;
  errors: number;
  ids: Set<string>;
  elu: { active: number; utilization: number };
}> {
  let next = 0;
  let non200 = 0;
  let errors = 0;
  const roundTrips: number[] = [];
  const ids = new Set<string>();
  const worker = async () => {
    while (next < total) {
      const seq = next++;
      const event = { id: randomIds.next('evt'), type: EVENT_TYPE, created: Date.now(), data: dataFor(seq) };
      const body = JSON.stringify(envelopeOf(event, 1));
      ids.add(event.id);
      const started = performance.now();
      try {
        const response = await fetch(url, {
          method: 'POST',
          body,
          headers: {
            'content-type': 'application/json',
            'webhook-id': event.id,
            'webhook-timestamp': String(Math.floor(event.created / 1000)),
          },
        });
        await response.arrayBuffer();
        if (response.status !== 200) non200++;
      } catch {
        errors++;
      }
      roundTrips.push(performance.now() - started);
    }
  };
  const before = performance.eventLoopUtilization();
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const ms = performance.now() - started;
  return { ms, roundTrips, non200, errors, ids, elu: performance.eventLoopUtilization(before) };
}

/**
 * A reference, not the aim: the same loop with node:http and a keep-alive agent (what the
 * engine's sender uses) instead of fetch. It shows how much of the baseline is fetch's own cost.
 */
async function httpLoop(
  url: string,
  total: number,
): Promise<{
  ms: number;
  roundTrips: number[];
  non200: number;
  errors: number;
  ids: Set<string>;
  elu: { active: number; utilization: number };
}> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let next = 0;
  let non200 = 0;
  let errors = 0;
  const roundTrips: number[] = [];
  const ids = new Set<string>();
  const post = (body: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        url,
        { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (next < total) {
      const seq = next++;
      const event = { id: randomIds.next('evt'), type: EVENT_TYPE, created: Date.now(), data: dataFor(seq) };
      const body = JSON.stringify(envelopeOf(event, 1));
      ids.add(event.id);
      const started = performance.now();
      try {
        const status = await post(body, {
          'content-type': 'application/json',
          'webhook-id': event.id,
          'webhook-timestamp': String(Math.floor(event.created / 1000)),
        });
        if (status !== 200) non200++;
      } catch {
        errors++;
      }
      roundTrips.push(performance.now() - started);
    }
  };
  const before = performance.eventLoopUtilization();
  const started = performance.now();
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  } finally {
    agent.destroy();
  }
  const ms = performance.now() - started;
  return { ms, roundTrips, non200, errors, ids, elu: performance.eventLoopUtilization(before) };
}

type Loop = typeof fetchLoop;

async function runLoop(receiver: Receiver, loop: Loop, name: string): Promise<LoopResult> {
  if (WARMUP > 0) {
    log(`${name}: warm-up of ${WARMUP} POSTs`);
    await loop(receiver.url, WARMUP);
    receiver.take();
  }
  log(`${name}: ${DELIVERIES} POSTs, ${CONCURRENCY} at a time`);
  const run = await loop(receiver.url, DELIVERIES);
  const problems: string[] = [];
  if (run.non200 > 0) problems.push(`${run.non200} responses were not 200`);
  if (run.errors > 0) problems.push(`${run.errors} requests failed`);
  const seen = checkArrivals(receiver.take(), run.ids, DELIVERIES, undefined, problems);
  return {
    deliveries: DELIVERIES,
    seconds: run.ms / 1000,
    deliveriesPerSec: (DELIVERIES * 1000) / run.ms,
    roundTrip: latencyOf(run.roundTrips),
    createdToReceived: latencyOf(seen.latencyFromCreated),
    loopBusy: run.elu.utilization,
    busyUsPerDelivery: (run.elu.active * 1000) / DELIVERIES,
    non200: run.non200,
    errors: run.errors,
    receiverDistinctIds: seen.distinct,
    problems,
    flagged: problems.length > 0,
  };
}

// ---- 2. the durable outbox: a real engine with one subscription to the receiver ----

function configYaml(receiverUrl: string): string {
  // retry: [0] makes a failed attempt final, so a failure shows as `failed` at once instead of
  // waiting a minute for the next attempt; the hot path is the same either way.
  return `server:
  host: ${HOST}
  port: 0
  durability: normal
  shutdown_timeout: 10s

outbound:
  allow: [${HOST}]
  concurrency: ${CONCURRENCY}

systems:
  - id: ${SYSTEM_ID}

triggers:
  # Never fired: its emit action puts ${EVENT_TYPE} in the event catalogue.
  - id: bench-emit
    actions:
      - emit: ${EVENT_TYPE}
        data: { seq: 0 }

subscriptions:
  - id: ${SUBSCRIPTION_ID}
    url: "${receiverUrl}"
    events: [${EVENT_TYPE}]
    secret: "${SIGNING_SECRET}"
    retry: [0]
`;
}

async function startBenchEngine(dir: string, receiverUrl: string): Promise<Engine> {
  const configDir = join(dir, 'config');
  const dataDir = join(dir, 'data');
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'bench.yaml'), configYaml(receiverUrl));
  // No modules: the outbound path needs no driver, and the bench does not depend on them loading.
  return startEngine({
    configDir,
    dataDir,
    port: 0,
    host: HOST,
    registry: registryOf([]),
    log: createLogger({ level: LOG_LEVEL }),
    env: {},
  });
}

async function deliveriesBy(engine: Engine): Promise<Record<string, number>> {
  const rows = await engine.store.database.db
    .selectFrom('deliveries')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('subscription_id', '=', SUBSCRIPTION_ID)
    .groupBy('status')
    .execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** Waits until `total` deliveries are finished (succeeded or failed) in the store. */
async function settled(
  engine: Engine,
  total: number,
  deadline: number,
): Promise<{ done: boolean; counts: Record<string, number> }> {
  for (;;) {
    await engine.outbound.worker.idle();
    const counts = await deliveriesBy(engine);
    if ((counts.succeeded ?? 0) + (counts.failed ?? 0) >= total) return { done: true, counts };
    if (performance.now() > deadline) return { done: false, counts };
    await sleep(2);
  }
}

interface OutboxResult {
  deliveries: number;
  /** First emit until every delivery is finished in the store. */
  seconds: number;
  deliveriesPerSec: number;
  /** First emit until every emit's commit resolved. */
  enqueueSeconds: number;
  enqueuePerSec: number;
  /** Enqueued until every delivery is finished. */
  drainSeconds: number;
  /** The envelope's created until the receiver read it: in a burst, mostly time queued. */
  createdToReceived: Latency;
  /** delivery_attempts.latency_ms: the sender's own round trip. */
  attemptRoundTrip: Latency;
  loopBusy: number;
  busyUsPerDelivery: number;
  receiverDistinctIds: number;
  checks: Record<string, number | string | boolean>;
  problems: string[];
  flagged: boolean;
}

async function emitBurst(
  engine: Engine,
  from: number,
  total: number,
): Promise<{ events: (EngineEvent | undefined)[]; rejected: string[] }> {
  const source = { system: SYSTEM_ID };
  const emits: Promise<EngineEvent | undefined>[] = [];
  for (let i = 0; i < total; i++) emits.push(engine.outbound.outbox.emit(EVENT_TYPE, source, dataFor(from + i)));
  const outcomes = await Promise.allSettled(emits);
  return {
    events: outcomes.map((o) => (o.status === 'fulfilled' ? o.value : undefined)),
    rejected: outcomes.flatMap((o) => (o.status === 'rejected' ? [String((o.reason as Error)?.message ?? o.reason)] : [])),
  };
}

async function runOutbox(engine: Engine, receiver: Receiver): Promise<OutboxResult> {
  const problems: string[] = [];
  if (WARMUP > 0) {
    log(`outbox: warm-up of ${WARMUP} events`);
    const warm = await emitBurst(engine, 0, WARMUP);
    if (warm.rejected.length > 0) problems.push(`warm-up: ${warm.rejected.length} emits failed: ${warm.rejected[0]}`);
    const { done } = await settled(engine, WARMUP, performance.now() + TIMEOUT_MS);
    if (!done) problems.push(`warm-up: deliveries not finished after ${TIMEOUT_MS / 1000} s`);
    receiver.take();
  }

  log(`outbox: ${DELIVERIES} events emitted at once, delivered ${CONCURRENCY} at a time`);
  const before = performance.eventLoopUtilization();
  const started = performance.now();
  const burst = await emitBurst(engine, WARMUP, DELIVERIES);
  const enqueued = performance.now();
  const total = WARMUP + DELIVERIES;
  const { done, counts } = await settled(engine, total, started + TIMEOUT_MS);
  const finished = performance.now();
  const elu = performance.eventLoopUtilization(before);
  const arrivals = receiver.take();

  // ---- checks: every delivery durably recorded, succeeded, once ----
  if (burst.rejected.length > 0) problems.push(`${burst.rejected.length} emits failed: ${burst.rejected[0]}`);
  const unheard = burst.events.filter((e) => e === undefined).length - burst.rejected.length;
  if (unheard > 0) problems.push(`${unheard} events were heard by no subscription`);
  const eventIds = new Set(burst.events.flatMap((e) => (e ? [e.id] : [])));
  if (!done) problems.push(`deliveries not finished after ${TIMEOUT_MS / 1000} s: ${JSON.stringify(counts)}`);

  const db = engine.store.database.db;
  const rows = await db
    .selectFrom('deliveries as d')
    .leftJoin('delivery_attempts as a', 'a.delivery_id', 'd.id')
    .select([
      'd.id',
      'd.event_id',
      'd.status',
      'd.attempts',
      (eb) => eb.fn.count<number>('a.seq').as('attemptRows'),
      (eb) => eb.fn.max('a.status_code').as('code'),
      (eb) => eb.fn.max('a.latency_ms').as('latency'),
    ])
    .where('d.subscription_id', '=', SUBSCRIPTION_ID)
    .groupBy('d.id')
    .execute();
  const eventCount = Number(
    (
      await db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const measured = rows.filter((r) => eventIds.has(r.event_id));
  const perEvent = new Map<string, number>();
  for (const r of measured) perEvent.set(r.event_id, (perEvent.get(r.event_id) ?? 0) + 1);
  const notSucceeded = rows.filter((r) => r.status !== 'succeeded').length;
  const notOneAttempt = rows.filter((r) => Number(r.attempts) !== 1 || Number(r.attemptRows) !== 1).length;
  const not200 = rows.filter((r) => r.code === null || Number(r.code) !== 200).length;
  const eventsWithoutOneDelivery = [...eventIds].filter((id) => perEvent.get(id) !== 1).length;
  if (rows.length !== total) problems.push(`${rows.length} delivery rows, expected ${total} (warm-up included)`);
  if (eventCount !== total) problems.push(`${eventCount} event rows, expected ${total} (warm-up included)`);
  if (notSucceeded > 0) problems.push(`${notSucceeded} deliveries did not succeed: ${JSON.stringify(counts)}`);
  if (notOneAttempt > 0)
    problems.push(`${notOneAttempt} deliveries do not have exactly one attempt (attempts column and attempt rows)`);
  if (not200 > 0) problems.push(`${not200} attempts were not recorded as answered 200`);
  if (eventsWithoutOneDelivery > 0)
    problems.push(`${eventsWithoutOneDelivery} measured events do not have exactly one delivery row`);
  const seen = checkArrivals(arrivals, eventIds, DELIVERIES, new Webhook(SIGNING_SECRET), problems);

  return {
    deliveries: DELIVERIES,
    seconds: (finished - started) / 1000,
    deliveriesPerSec: (DELIVERIES * 1000) / (finished - started),
    enqueueSeconds: (enqueued - started) / 1000,
    enqueuePerSec: (DELIVERIES * 1000) / (enqueued - started),
    drainSeconds: (finished - enqueued) / 1000,
    createdToReceived: latencyOf(seen.latencyFromCreated),
    attemptRoundTrip: latencyOf(measured.map((r) => Number(r.latency))),
    loopBusy: elu.utilization,
    busyUsPerDelivery: (elu.active * 1000) / DELIVERIES,
    receiverDistinctIds: seen.distinct,
    checks: {
      deliveryRows: rows.length,
      eventRows: eventCount,
      succeeded: rows.length - notSucceeded,
      exactlyOneAttempt: rows.length - notOneAttempt,
      receiverRequests: arrivals.length,
      receiverDistinctIds: seen.distinct,
      signaturesChecked: arrivals.length,
    },
    problems,
    flagged: problems.length > 0,
  };
}

// ---- main ----

async function main(): Promise<void> {
  const bodyBytes = sizePayload();
  const environment = {
    ...describeMachine(),
    deliveries: DELIVERIES,
    warmupDeliveries: WARMUP,
    concurrency: CONCURRENCY,
    bodyBytes,
  };
  log(machineNote(environment));

  const dir = benchTempDir('switchboard-bench-outbound-');
  const receiver = await startReceiver();
  closers.push(() => receiver.close());

  const baseline = WITH_BASELINE ? await runLoop(receiver, fetchLoop, 'baseline (fetch)') : undefined;
  const httpReference = WITH_BASELINE ? await runLoop(receiver, httpLoop, 'reference (node:http)') : undefined;

  const engine = await startBenchEngine(dir, receiver.url);
  closers.push(() => engine.stop());
  const outbox = await runOutbox(engine, receiver);
  await engine.stop();

  // ---- report ----
  const flagged = (baseline?.flagged ?? false) || (httpReference?.flagged ?? false) || outbox.flagged;
  const ratio = baseline ? outbox.deliveriesPerSec / baseline.deliveriesPerSec : NaN;
  // A flagged run (failed delivery, missing row, duplicate) cannot meet the aim, whatever its numbers.
  const aim = baseline ? { ratio, target: AIM_RATIO, valid: !flagged, met: !flagged && ratio >= AIM_RATIO } : undefined;

  const rows = [
    ['path', 'deliveries', 'seconds', 'deliveries/s', 'x baseline', 'p50 ms', 'p99 ms', 'loop busy', 'µs/delivery', ''],
  ];
  const loopRow = (label: string, r: LoopResult) => [
    label,
    String(r.deliveries),
    fmt(r.seconds),
    fmt(r.deliveriesPerSec, 0),
    baseline ? fmt(r.deliveriesPerSec / baseline.deliveriesPerSec) : '-',
    fmt(r.createdToReceived.p50Ms, 0),
    fmt(r.createdToReceived.p99Ms, 0),
    `${fmt(r.loopBusy * 100, 0)}%`,
    fmt(r.busyUsPerDelivery, 0),
    r.flagged ? 'FLAGGED' : '',
  ];
  if (baseline) rows.push(loopRow('baseline (fetch loop)', baseline));
  if (httpReference) rows.push(loopRow('reference (node:http loop)', httpReference));
  rows.push([
    'outbox (durable)',
    String(outbox.deliveries),
    fmt(outbox.seconds),
    fmt(outbox.deliveriesPerSec, 0),
    baseline ? fmt(ratio) : '-',
    fmt(outbox.createdToReceived.p50Ms, 0),
    fmt(outbox.createdToReceived.p99Ms, 0),
    `${fmt(outbox.loopBusy * 100, 0)}%`,
    fmt(outbox.busyUsPerDelivery, 0),
    outbox.flagged ? 'FLAGGED' : '',
  ]);

  const out: string[] = [];
  out.push('');
  out.push(machineHeader(environment));
  out.push(
    `${DELIVERIES} deliveries per path after ${WARMUP} uncounted, concurrency ${CONCURRENCY}, ~${bodyBytes} byte JSON bodies, receiver: bare node:http on ${HOST} in this process`,
  );
  out.push('');
  out.push(table(rows));
  out.push('(p50/p99 = event created -> receiver read the body, 1 ms resolution; for the outbox all events are created at once,');
  out.push(' so this is mostly time queued; loop busy = main-thread event loop utilisation, shared with the receiver)');
  out.push('');
  out.push(
    `outbox enqueue: ${DELIVERIES} emits committed in ${fmt(outbox.enqueueSeconds * 1000, 0)} ms (${fmt(outbox.enqueuePerSec, 0)} events/s); then ${fmt(outbox.drainSeconds * 1000, 0)} ms until every delivery was finished (succeeded or failed) in the store`,
  );
  out.push(
    `outbox attempt round trip (delivery_attempts.latency_ms): p50 ${fmt(outbox.attemptRoundTrip.p50Ms)} ms, p99 ${fmt(outbox.attemptRoundTrip.p99Ms)} ms`,
  );
  if (baseline)
    out.push(`baseline fetch round trip: p50 ${fmt(baseline.roundTrip.p50Ms)} ms, p99 ${fmt(baseline.roundTrip.p99Ms)} ms`);
  if (httpReference) {
    out.push(
      `reference node:http round trip: p50 ${fmt(httpReference.roundTrip.p50Ms)} ms, p99 ${fmt(httpReference.roundTrip.p99Ms)} ms`,
    );
    out.push(
      `reference, not an aim: outbox = ${fmt(outbox.deliveriesPerSec / httpReference.deliveriesPerSec)} x a node:http loop (the client the engine's sender uses)`,
    );
  }
  out.push('');
  if (aim) {
    out.push(
      `aim: outbox deliveries/s >= ${AIM_RATIO} x fetch loop, every delivery durably recorded: ${fmt(ratio)} x -> ${aim.met ? 'met' : 'NOT met'}${aim.valid ? '' : ' (run flagged, not valid)'}`,
    );
  } else {
    out.push('aim: not evaluated (BENCH_BASELINE=0)');
  }
  for (const p of baseline?.problems ?? []) out.push(`FLAGGED baseline: ${p}`);
  for (const p of httpReference?.problems ?? []) out.push(`FLAGGED reference: ${p}`);
  for (const p of outbox.problems) out.push(`FLAGGED outbox: ${p}`);
  out.push(`outbox checks: ${JSON.stringify(outbox.checks)}`);
  console.log(out.join('\n'));

  if (JSON_OUTPUT) console.log(JSON.stringify({ environment, baseline, httpReference, outbox, aim, flagged }, null, 2));
  if (flagged) process.exitCode = 1;
}

await runBench(main);
