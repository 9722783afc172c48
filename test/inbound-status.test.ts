// The trigger URL's status table (DESIGN.md "Inbound"), through a real listening server, on
// each backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { BACKENDS } from './support/postgres.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';
import { probeDriver } from './support/test-drivers.js';

const SECRET = 'status-secret-0123456789';
const GH_SECRET = 'github-signing-secret';
const SW_SECRET = 'whsec_' + Buffer.from('standard-webhooks-test-key-32byte').toString('base64');
const STRIPE_SECRET = 'whsec_stripe-endpoint-secret';
const SLACK_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const SHOPIFY_SECRET = 'shopify-app-client-secret';
const HOOK_SECRET = 'timestamped-hmac-secret';

const files = {
  'site.yaml': `
server:
  body_limit: 1kb
systems:
  - id: sys-a
    modules:
      - driver: display
      - driver: probe
triggers:
  - id: t-post
    methods: [POST, PUT]
    actions:
      - call: Display_1.power
        args: { state: true }
  - id: t-off
    webhook: false
  - id: t-github
    signature: { scheme: github, secret: ${GH_SECRET} }
  - id: t-std
    signature: { scheme: standard-webhooks, secret: "${SW_SECRET}" }
  - id: t-github-rotating
    signature: { scheme: github, secret: [${GH_SECRET}, ${GH_SECRET}-next] }
  - id: t-stripe
    signature: { scheme: stripe, secret: ${STRIPE_SECRET} }
  - id: t-slack
    signature: { scheme: slack, secret: ${SLACK_SECRET}, tolerance: 2m }
  - id: t-shopify
    signature: { scheme: hmac, secret: ${SHOPIFY_SECRET}, header: X-Shopify-Hmac-Sha256, encoding: base64 }
  - id: t-hmac-timestamped
    signature:
      scheme: hmac
      secret: ${HOOK_SECRET}
      header: X-Signature
      prefix: sha256=
      timestamp_header: X-Timestamp
instances:
  - { id: trig-a, trigger: t-post, system: sys-a, secret: ${SECRET} }
  - { id: trig-exec, trigger: t-post, system: sys-a, secret: ${SECRET}, exec: true }
  - { id: trig-disabled, trigger: t-post, system: sys-a, secret: ${SECRET}, enabled: false }
  - { id: trig-off, trigger: t-off, system: sys-a, secret: ${SECRET} }
  - { id: trig-gh, trigger: t-github, system: sys-a, secret: ${SECRET} }
  - { id: trig-std, trigger: t-std, system: sys-a, secret: ${SECRET} }
  - { id: trig-gh-rotating, trigger: t-github-rotating, system: sys-a, secret: ${SECRET} }
  - { id: trig-stripe, trigger: t-stripe, system: sys-a, secret: ${SECRET} }
  - { id: trig-slack, trigger: t-slack, system: sys-a, secret: ${SECRET} }
  - { id: trig-shopify, trigger: t-shopify, system: sys-a, secret: ${SECRET} }
  - { id: trig-hmac-ts, trigger: t-hmac-timestamped, system: sys-a, secret: ${SECRET} }
`,
};

let t: TestEngine;

const post = (path: string, init: RequestInit = {}) => fetch(t.url(path), { method: 'POST', ...init });
/** Unix seconds `ago` seconds before now: the engine reads the same system clock. */
const unixSeconds = (ago = 0) => Math.floor(Date.now() / 1000) - ago;
const hmacOf = (secret: string, ...parts: (string | Buffer)[]) => {
  const mac = createHmac('sha256', secret);
  for (const part of parts) mac.update(part);
  return mac.digest();
};

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = (await response.json()) as { error: string; message: string };
  expect(body.error).toBe(code);
  expect(body.message).toEqual(expect.any(String));
  return body;
}

describe.each(BACKENDS)('on %s', (backend) => {
  beforeAll(async () => {
    t = await startTestEngine({ files, extraDrivers: [probeDriver], backend });
  });
  afterAll(async () => t.cleanup());

  describe('trigger URL status table', () => {
    it('answers 202 fired with a run id for the query-secret form', async () => {
      const response = await post(`/webhook/trig-a/notify?secret=${SECRET}`, {
        body: '{"x":1}',
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(202);
      expect(await response.json()).toEqual({ fired: true, run: expect.stringMatching(/^run_/) });
    });

    it('accepts the secret in the path and the /api/engine/v2 prefix', async () => {
      expect((await post(`/webhook/trig-a/notify/${SECRET}`)).status).toBe(202);
      expect((await post(`/api/engine/v2/webhook/trig-a/notify?secret=${SECRET}`)).status).toBe(202);
      expect((await post(`/api/engine/v2/webhook/trig-a/notify/${SECRET}`)).status).toBe(202);
    });

    it('answers the same 404 for an unknown instance, a disabled one, webhooks off and a wrong or missing secret', async () => {
      const answers = await Promise.all([
        post(`/webhook/trig-nope/notify?secret=${SECRET}`),
        post(`/webhook/trig-disabled/notify?secret=${SECRET}`),
        post(`/webhook/trig-off/notify?secret=${SECRET}`),
        post(`/webhook/trig-a/notify?secret=wrong`),
        post(`/webhook/trig-a/notify`),
        post(`/webhook/trig-a/notify/wrong-secret`),
      ]);
      const bodies = await Promise.all(answers.map((r) => r.text()));
      expect(answers.map((r) => r.status)).toEqual([404, 404, 404, 404, 404, 404]);
      expect(new Set(bodies).size).toBe(1);
      expect(JSON.parse(bodies[0]!).error).toBe('not_found');
    });

    it('answers 405 with Allow when the method is not allowed', async () => {
      const response = await fetch(t.url(`/webhook/trig-a/notify?secret=${SECRET}`), { method: 'DELETE' });
      await expectError(response, 405, 'method_not_allowed');
      expect(response.headers.get('allow')).toBe('POST, PUT');
    });

    it('checks the secret before the method, so a prober learns nothing from 405', async () => {
      const response = await fetch(t.url('/webhook/trig-a/notify?secret=wrong'), { method: 'DELETE' });
      expect(response.status).toBe(404);
    });

    it('answers 413 for a body over the limit', async () => {
      await expectError(
        await post(`/webhook/trig-a/notify?secret=${SECRET}`, { body: 'x'.repeat(2048) }),
        413,
        'payload_too_large',
      );
    });

    it('answers 400 for a body declared as JSON that is not', async () => {
      await expectError(
        await post(`/webhook/trig-a/notify?secret=${SECRET}`, {
          body: '{"broken',
          headers: { 'content-type': 'application/json' },
        }),
        400,
        'body_malformed',
      );
    });

    it('answers 401 for a missing or wrong GitHub signature and 202 for a right one', async () => {
      const body = '{"action":"opened"}';
      const good = 'sha256=' + createHmac('sha256', GH_SECRET).update(body).digest('hex');
      await expectError(await post(`/webhook/trig-gh/notify?secret=${SECRET}`, { body }), 401, 'signature_invalid');
      await expectError(
        await post(`/webhook/trig-gh/notify?secret=${SECRET}`, {
          body,
          headers: { 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) },
        }),
        401,
        'signature_invalid',
      );
      expect(
        (await post(`/webhook/trig-gh/notify?secret=${SECRET}`, { body, headers: { 'x-hub-signature-256': good } })).status,
      ).toBe(202);
    });

    it('passes a GitHub signature made with any secret of a rotating list, and refuses one made with neither', async () => {
      const body = '{"action":"closed"}';
      const signed = (secret: string) => 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
      for (const secret of [GH_SECRET, `${GH_SECRET}-next`]) {
        const answer = await post(`/webhook/trig-gh-rotating/notify?secret=${SECRET}`, {
          body,
          headers: { 'x-hub-signature-256': signed(secret) },
        });
        expect(answer.status).toBe(202);
      }
      await expectError(
        await post(`/webhook/trig-gh-rotating/notify?secret=${SECRET}`, {
          body,
          headers: { 'x-hub-signature-256': signed('neither') },
        }),
        401,
        'signature_invalid',
      );
    });

    it('answers 401 for a stale Standard Webhooks signature and 202 for a fresh one', async () => {
      const body = '{"type":"meeting.created"}';
      const signer = new Webhook(SW_SECRET);
      const sign = (at: Date) => ({
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': signer.sign('msg_1', at, body),
      });
      const stale = await post(`/webhook/trig-std/notify?secret=${SECRET}`, {
        body,
        headers: sign(new Date(Date.now() - 3_600_000)),
      });
      await expectError(stale, 401, 'signature_invalid');
      expect((await post(`/webhook/trig-std/notify?secret=${SECRET}`, { body, headers: sign(new Date()) })).status).toBe(202);
    });

    it('answers 202 for a right Stripe signature, 401 for a tampered body and for a stale timestamp', async () => {
      const payload = '{"id":"evt_1","type":"invoice.paid"}';
      const sign = (ago: number) =>
        new Stripe('sk_test_unused').webhooks.generateTestHeaderString({
          payload,
          secret: STRIPE_SECRET,
          timestamp: unixSeconds(ago),
        });
      const url = `/webhook/trig-stripe/notify?secret=${SECRET}`;
      expect((await post(url, { body: payload, headers: { 'stripe-signature': sign(0) } })).status).toBe(202);
      const tampered = await expectError(
        await post(url, { body: payload.replace('paid', 'void'), headers: { 'stripe-signature': sign(0) } }),
        401,
        'signature_invalid',
      );
      expect(tampered.message).toBe('The request signature was not accepted: stripe-signature does not match the body.');
      const stale = await expectError(
        await post(url, { body: payload, headers: { 'stripe-signature': sign(3600) } }),
        401,
        'signature_invalid',
      );
      expect(stale.message).toMatch(/stripe-signature timestamp is 36\d\d s old, 33\d\d s outside the tolerance of 300 s/);
      expect(JSON.stringify([tampered, stale])).not.toContain(STRIPE_SECRET);
    });

    it('answers 202 for a right Slack signature, 401 for a tampered body and past its 2m tolerance', async () => {
      const body = 'token=x&team_id=T1&command=%2Fwebhook-collect&text=';
      const headersAt = (ago: number, signed = body) => ({
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': String(unixSeconds(ago)),
        'x-slack-signature': 'v0=' + hmacOf(SLACK_SECRET, `v0:${unixSeconds(ago)}:`, signed).toString('hex'),
      });
      const url = `/webhook/trig-slack/notify?secret=${SECRET}`;
      expect((await post(url, { body, headers: headersAt(0) })).status).toBe(202);
      await expectError(await post(url, { body: body + 'x', headers: headersAt(0) }), 401, 'signature_invalid');
      const stale = await expectError(await post(url, { body, headers: headersAt(600) }), 401, 'signature_invalid');
      expect(stale.message).toContain('outside the tolerance of 120 s');
    });

    it('answers 202 for a right Shopify HMAC on bytes that are not UTF-8 and 401 for a tampered body', async () => {
      const body = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b]);
      const headers = { 'x-shopify-hmac-sha256': hmacOf(SHOPIFY_SECRET, body).toString('base64') };
      const url = `/webhook/trig-shopify/notify?secret=${SECRET}`;
      expect((await post(url, { body, headers })).status).toBe(202);
      await expectError(
        await post(url, { body: Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7c]), headers }),
        401,
        'signature_invalid',
      );
      const missing = await expectError(await post(url, { body }), 401, 'signature_invalid');
      expect(missing.message).toContain('the x-shopify-hmac-sha256 header is missing');
      // The signature of a stored body, without a timestamp, could be replayed: the request log redacts it.
      const rows = await t.engine.store.requests.list({ instanceId: 'trig-shopify', limit: 10 });
      expect(rows.map((row) => JSON.parse(row.headers)['x-shopify-hmac-sha256'])).toContain('[redacted]');
      expect(JSON.stringify(rows)).not.toContain(headers['x-shopify-hmac-sha256']);
    });

    it('answers 202 for a right timestamped HMAC, 401 for a tampered body and for a stale timestamp', async () => {
      const body = '{"event":"booking.created"}';
      const headersAt = (ago: number) => ({
        'x-timestamp': String(unixSeconds(ago)),
        'x-signature': 'sha256=' + hmacOf(HOOK_SECRET, `${unixSeconds(ago)}.`, body).toString('hex'),
      });
      const url = `/webhook/trig-hmac-ts/notify?secret=${SECRET}`;
      expect((await post(url, { body, headers: headersAt(0) })).status).toBe(202);
      await expectError(
        await post(url, { body: body.replace('created', 'deleted'), headers: headersAt(0) }),
        401,
        'signature_invalid',
      );
      const stale = await expectError(await post(url, { body, headers: headersAt(900) }), 401, 'signature_invalid');
      expect(stale.message).toMatch(/the x-timestamp header is 90\d s old, 60\d s outside the tolerance of 300 s/);
    });

    it('answers 403 when exec is asked of an instance without exec', async () => {
      await expectError(
        await post(`/webhook/trig-a/notify?secret=${SECRET}&exec=true&mod=Probe&method=echo`),
        403,
        'exec_forbidden',
      );
      await expectError(await post(`/webhook/trig-a/notify/${SECRET}/Probe/1/echo`), 403, 'exec_forbidden');
    });

    it('answers 400 naming the parameter when exec lacks mod or method', async () => {
      const noMod = await expectError(
        await post(`/webhook/trig-exec/notify?secret=${SECRET}&exec=true&method=echo`),
        400,
        'missing_parameter',
      );
      expect(noMod.message).toContain('`mod`');
      const noMethod = await expectError(
        await post(`/webhook/trig-exec/notify?secret=${SECRET}&exec=true&mod=Probe`),
        400,
        'missing_parameter',
      );
      expect(noMethod.message).toContain('`method`');
    });

    it('answers 404 for an unknown module, index or method, and for a method that is not webhook-capable', async () => {
      await expectError(
        await post(`/webhook/trig-exec/notify?secret=${SECRET}&exec=true&mod=Nope&method=echo`),
        404,
        'module_not_found',
      );
      await expectError(
        await post(`/webhook/trig-exec/notify?secret=${SECRET}&exec=true&mod=Probe&index=2&method=echo`),
        404,
        'module_not_found',
      );
      await expectError(
        await post(`/webhook/trig-exec/notify?secret=${SECRET}&exec=true&mod=Probe&method=nope`),
        404,
        'module_not_found',
      );
      await expectError(
        await post(`/webhook/trig-exec/notify?secret=${SECRET}&exec=true&mod=Probe&method=record`),
        404,
        'module_not_found',
      );
    });

    it('answers with the module status, headers and body on exec', async () => {
      const response = await post(`/webhook/trig-exec/notify/${SECRET}/Probe/1/echo`, {
        body: '{"a":1}',
        headers: { 'content-type': 'application/json' },
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('x-probe')).toBe('yes');
    });

    it('answers a JSON 404 for paths that are not trigger URLs', async () => {
      await expectError(await fetch(t.url('/nothing/here')), 404, 'not_found');
    });
  });
});
