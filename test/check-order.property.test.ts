// The whole check order of DESIGN.md, as a property against a real listening engine: a
// generator weighted so most requests reach the later steps (a real instance, the right
// secret, allowed methods, signed bodies, exec parameters) and a small model that predicts
// each answer's exact status and reason, debounce windows and a busy single-mode run
// included. Every step must be hit at least 50 times. Seeded: CHECK_ORDER_SEED=n replays
// a run; fast-check prints the seed and the failing request when the model and the engine
// disagree.
import { createHmac } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from './support/fake-clock.js';
import { probeDriver } from './support/test-drivers.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SEED = Number(process.env.CHECK_ORDER_SEED ?? 20261126);
const RUNS = Number(process.env.CHECK_ORDER_RUNS ?? 2000);
const SECRET = 'check-order-secret-0123456789';
const GITHUB_SECRET = 'check-order-github-secret';
const BODY_LIMIT = 2048;
const JSON_DEPTH = 8;
const DEBOUNCE_MS = 10_000;

interface InstanceModel {
  enabled: boolean;
  webhook: boolean;
  methods: readonly string[];
  exec: boolean;
  signed: boolean;
  /** Its compare condition never holds. */
  conditions: boolean;
  debounceMs: number;
  single: boolean;
}

const base: InstanceModel = {
  enabled: true,
  webhook: true,
  methods: ['POST'],
  exec: false,
  signed: false,
  conditions: false,
  debounceMs: 0,
  single: false,
};

const INSTANCES: Record<string, InstanceModel> = {
  'trig-plain': { ...base, methods: ['POST', 'PUT'], exec: true },
  'trig-debounced': { ...base, debounceMs: DEBOUNCE_MS },
  'trig-cond': { ...base },
  'trig-single': { ...base, single: true },
  'trig-signed': { ...base, signed: true },
  'trig-disabled': { ...base, enabled: false },
  'trig-off': { ...base, webhook: false },
};
INSTANCES['trig-cond']!.conditions = true;

const files = {
  'site.yaml': `
server:
  body_limit: ${BODY_LIMIT}
  json_depth: ${JSON_DEPTH}
  shutdown_timeout: 100ms
systems:
  - id: sys-c
    modules: [{ driver: display }, { driver: probe }]
triggers:
  - id: t-plain
    methods: [POST, PUT]
    actions: [{ call: Display_1.power, args: { state: true } }]
  - id: t-debounced
    debounce: 10s
    actions: [{ call: Display_1.power, args: { state: true } }]
  - id: t-cond
    webhook: true
    conditions: [{ compare: { left: Display_1.input, op: equal, right: "never" } }]
  - id: t-single
    mode: single
    actions: [{ delay: 1000d }]
  - id: t-signed
    signature: { scheme: github, secret: ${GITHUB_SECRET} }
  - id: t-off
    webhook: false
instances:
  - { id: trig-plain, trigger: t-plain, system: sys-c, secret: ${SECRET}, exec: true }
  - { id: trig-debounced, trigger: t-debounced, system: sys-c, secret: ${SECRET} }
  - { id: trig-cond, trigger: t-cond, system: sys-c, secret: ${SECRET} }
  - { id: trig-single, trigger: t-single, system: sys-c, secret: ${SECRET} }
  - { id: trig-signed, trigger: t-signed, system: sys-c, secret: ${SECRET} }
  - { id: trig-disabled, trigger: t-plain, system: sys-c, secret: ${SECRET}, enabled: false }
  - { id: trig-off, trigger: t-off, system: sys-c, secret: ${SECRET} }
`,
};

type BodyKind = 'json' | 'gzip-json' | 'empty' | 'text' | 'malformed' | 'deep' | 'too-large' | 'bad-encoding';
type ExecKind = 'none' | 'valid' | 'maybe' | 'missing-mod' | 'unknown-mod' | 'not-webhook';

interface GeneratedRequest {
  instance: string;
  secret: 'right' | 'wrong' | 'missing';
  secretInPath: boolean;
  prefix: boolean;
  method: string;
  body: BodyKind;
  value: number;
  signature: 'valid' | 'invalid' | 'missing';
  exec: ExecKind;
  advanceMs: number;
}

const weighted = <T>(...pairs: [number, T][]) =>
  fc.oneof(...pairs.map(([weight, value]) => ({ weight, arbitrary: fc.constant(value) })));

// Exec is asked mostly of the instance that allows it, so the others mostly reach their
// conditions, debounce window and mode.
const execFor = (instance: string) =>
  instance === 'trig-plain'
    ? weighted<ExecKind>(
        [20, 'none'],
        [28, 'valid'],
        [14, 'maybe'],
        [12, 'missing-mod'],
        [13, 'unknown-mod'],
        [13, 'not-webhook'],
      )
    : weighted<ExecKind>([73, 'none'], [8, 'valid'], [8, 'maybe'], [7, 'missing-mod'], [2, 'unknown-mod'], [2, 'not-webhook']);

const requestArb: fc.Arbitrary<GeneratedRequest> = weighted<string>(
  [28, 'trig-plain'],
  [18, 'trig-debounced'],
  [12, 'trig-cond'],
  [12, 'trig-single'],
  [14, 'trig-signed'],
  [4, 'trig-disabled'],
  [4, 'trig-off'],
  [8, 'trig-unknown'],
).chain((instance) =>
  fc.record({
    instance: fc.constant(instance),
    secret: weighted<GeneratedRequest['secret']>([85, 'right'], [10, 'wrong'], [5, 'missing']),
    secretInPath: fc.boolean(),
    prefix: fc.boolean(),
    method: weighted([80, 'POST'], [6, 'PUT'], [7, 'DELETE'], [7, 'GET']),
    body: weighted<BodyKind>(
      [45, 'json'],
      [12, 'gzip-json'],
      [8, 'empty'],
      [5, 'text'],
      [8, 'malformed'],
      [8, 'deep'],
      [7, 'too-large'],
      [7, 'bad-encoding'],
    ),
    value: fc.integer({ min: 0, max: 1_000_000 }),
    signature: weighted<GeneratedRequest['signature']>([60, 'valid'], [30, 'invalid'], [10, 'missing']),
    exec: execFor(instance),
    advanceMs: weighted([84, 0], [12, 500], [4, 11_000]),
  }),
);

/** The body bytes as decoded by the engine, and what goes on the wire. */
function bodyOf(request: GeneratedRequest): { decoded: Buffer; wire?: Buffer; headers: Record<string, string> } {
  if (request.method === 'GET' || request.body === 'empty') return { decoded: Buffer.alloc(0), headers: {} };
  const json = { 'content-type': 'application/json' };
  const value = Buffer.from(JSON.stringify({ value: request.value, note: 'check order' }));
  switch (request.body) {
    case 'json':
      return { decoded: value, headers: json };
    case 'gzip-json':
      return { decoded: value, wire: gzipSync(value), headers: { ...json, 'content-encoding': 'gzip' } };
    case 'text':
      return { decoded: Buffer.from(`value ${request.value}`), headers: { 'content-type': 'text/plain' } };
    case 'malformed':
      return { decoded: Buffer.from('{"value": '), headers: json };
    case 'deep': {
      const depth = JSON_DEPTH + 1 + (request.value % 4);
      return { decoded: Buffer.from('['.repeat(depth) + ']'.repeat(depth)), headers: json };
    }
    case 'too-large':
      return { decoded: Buffer.from(JSON.stringify({ pad: 'x'.repeat(BODY_LIMIT + (request.value % 500)) })), headers: json };
    case 'bad-encoding':
      return { decoded: value, headers: { ...json, 'content-encoding': 'compress' } };
  }
}

function urlOf(request: GeneratedRequest): string {
  const prefix = request.prefix ? '/api/engine/v2' : '';
  const secret = request.secret === 'right' ? SECRET : `${SECRET}-wrong`;
  const inPath = request.secretInPath && request.secret !== 'missing';
  const execInPath = inPath && ['valid', 'unknown-mod', 'not-webhook'].includes(request.exec);
  let path = `${prefix}/webhook/${request.instance}/notify`;
  const query = new URLSearchParams();
  if (inPath) path += `/${secret}`;
  else if (request.secret !== 'missing') query.set('secret', secret);
  const [mod, method] =
    request.exec === 'unknown-mod' ? ['Nope', 'echo'] : request.exec === 'not-webhook' ? ['Probe', 'record'] : ['Probe', 'echo'];
  if (execInPath) path += `/${mod}/1/${method}`;
  else if (request.exec === 'maybe') query.set('exec', 'maybe');
  else if (request.exec === 'missing-mod') {
    query.set('exec', 'true');
    query.set('method', 'echo');
  } else if (request.exec !== 'none') {
    query.set('exec', request.value % 2 === 0 ? 'true' : '1');
    query.set('mod', mod);
    query.set('method', method);
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

/** The model: what the engine must answer, as (status, code), given its state. */
class Model {
  now = 0;
  private readonly lastRequest = new Map<string, number>();
  private readonly running = new Set<string>();

  predict(request: GeneratedRequest, decodedBytes: number): { status: number; code: string } {
    const instance = INSTANCES[request.instance];
    if (!instance || !instance.enabled || !instance.webhook || request.secret !== 'right')
      return { status: 404, code: 'not_found' };
    if (!instance.methods.includes(request.method)) return { status: 405, code: 'method_not_allowed' };
    if (request.method !== 'GET' && request.body === 'bad-encoding') return { status: 415, code: 'unsupported_encoding' };
    if (decodedBytes > BODY_LIMIT) return { status: 413, code: 'payload_too_large' };
    if (instance.signed && request.signature !== 'valid') return { status: 401, code: 'signature_invalid' };
    if (request.body === 'malformed' || request.body === 'deep') return { status: 400, code: 'body_malformed' };
    if (request.exec === 'maybe') return { status: 400, code: 'bad_parameter' };
    if (request.exec === 'missing-mod') return { status: 400, code: 'missing_parameter' };
    const exec = ['valid', 'unknown-mod', 'not-webhook'].includes(request.exec);
    if (exec && !instance.exec) return { status: 403, code: 'exec_forbidden' };
    if (exec && request.exec !== 'valid') return { status: 404, code: 'module_not_found' };
    if (!exec && instance.conditions) return { status: 202, code: 'conditions' };
    if (instance.debounceMs > 0) {
      const last = this.lastRequest.get(request.instance);
      this.lastRequest.set(request.instance, this.now); // hold: every request extends the window
      if (last !== undefined && this.now - last < instance.debounceMs) return { status: 202, code: 'debounced' };
    }
    if (exec) return { status: 201, code: 'exec' };
    if (instance.single) {
      if (this.running.has(request.instance)) return { status: 202, code: 'busy' };
      this.running.add(request.instance); // its run waits 1000 days: it stays active
    }
    return { status: 202, code: 'fired' };
  }
}

/** The code an answer carries: the error code, the not-fired reason, `fired`, or `exec`. */
function codeOf(status: number, body: unknown): string {
  const answer = body as { error?: string; fired?: boolean; reason?: string } | null;
  if (status === 201) return 'exec';
  if (answer?.error) return answer.error;
  if (answer?.fired === false) return answer.reason ?? '?';
  if (answer?.fired === true) return 'fired';
  return '?';
}

const STEPS = [
  'not_found',
  'method_not_allowed',
  'unsupported_encoding',
  'payload_too_large',
  'signature_invalid',
  'body_malformed',
  'bad_parameter',
  'missing_parameter',
  'exec_forbidden',
  'module_not_found',
  'exec',
  'conditions',
  'debounced',
  'busy',
  'fired',
];

let t: TestEngine;
const clock = new FakeClock();
beforeAll(async () => {
  t = await startTestEngine({ files, clock, extraDrivers: [probeDriver] });
});
afterAll(async () => t.cleanup());

describe('the check order', () => {
  it(`answers every generated request as the model predicts (${RUNS} runs, seed ${SEED})`, { timeout: 300_000 }, async () => {
    const model = new Model();
    const hits = new Map<string, number>(STEPS.map((step) => [step, 0]));
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        clock.advance(request.advanceMs);
        model.now += request.advanceMs;
        const body = bodyOf(request);
        const signature = 'sha256=' + createHmac('sha256', GITHUB_SECRET).update(body.decoded).digest('hex');
        const headers: Record<string, string> = { ...body.headers };
        if (request.signature !== 'missing')
          headers['x-hub-signature-256'] = request.signature === 'valid' ? signature : 'sha256=' + '0'.repeat(64);
        const expected = model.predict(request, body.decoded.length);
        const hasBody = request.method !== 'GET' && body.decoded.length > 0;
        const response = await fetch(t.url(urlOf(request)), {
          method: request.method,
          headers,
          body: hasBody ? new Uint8Array(body.wire ?? body.decoded) : undefined,
        });
        const text = await response.text();
        const answer = text.startsWith('{') ? (JSON.parse(text) as unknown) : text;
        const actual = { status: response.status, code: codeOf(response.status, answer) };
        hits.set(actual.code, (hits.get(actual.code) ?? 0) + 1);
        expect(actual, `${request.method} ${urlOf(request)} (${request.body}) answered ${text.slice(0, 200)}`).toEqual(expected);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    const missed = STEPS.filter((step) => (hits.get(step) ?? 0) < 50);
    expect(missed, `steps hit fewer than 50 times: ${JSON.stringify(Object.fromEntries(hits))}`).toEqual([]);
  });
});
