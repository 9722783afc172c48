// The trigger URL's status table (DESIGN.md "Inbound"), through a real listening server, on
// each backend.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { BACKENDS } from './support/postgres.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';
import { probeDriver } from './support/test-drivers.js';

const SECRET = 'status-secret-0123456789';
const GH_SECRET = 'github-signing-secret';
const SW_SECRET = 'whsec_' + Buffer.from('standard-webhooks-test-key-32byte').toString('base64');

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
instances:
  - { id: trig-a, trigger: t-post, system: sys-a, secret: ${SECRET} }
  - { id: trig-exec, trigger: t-post, system: sys-a, secret: ${SECRET}, exec: true }
  - { id: trig-disabled, trigger: t-post, system: sys-a, secret: ${SECRET}, enabled: false }
  - { id: trig-off, trigger: t-off, system: sys-a, secret: ${SECRET} }
  - { id: trig-gh, trigger: t-github, system: sys-a, secret: ${SECRET} }
  - { id: trig-std, trigger: t-std, system: sys-a, secret: ${SECRET} }
  - { id: trig-gh-rotating, trigger: t-github-rotating, system: sys-a, secret: ${SECRET} }
`,
};

let t: TestEngine;

const post = (path: string, init: RequestInit = {}) => fetch(t.url(path), { method: 'POST', ...init });

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
