// Check 5b without a server: no signature declared passes; a wrong one is 401 with the
// verifier's reason; with a rotating list any secret passes, for every scheme alike.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.js';
import { checkSignature } from './check-signature.js';

const trigger = (signature?: unknown) => configSchema.parse({ triggers: [{ id: 't', signature }] }).triggers[0]!;
const body = Buffer.from('{"action":"opened"}');
const NOW = 1_760_000_000_000;
const T = NOW / 1000;

describe('checkSignature', () => {
  it('passes a trigger that declares no signature', () => {
    expect(checkSignature(trigger(), {}, body, NOW)).toBeUndefined();
  });

  it('passes the right GitHub signature and refuses a wrong or missing one with the reason', () => {
    const github = trigger({ scheme: 'github', secret: 'gh-secret' });
    const good = 'sha256=' + createHmac('sha256', 'gh-secret').update(body).digest('hex');
    expect(checkSignature(github, { 'x-hub-signature-256': good }, body, NOW)).toBeUndefined();
    expect(checkSignature(github, {}, body, NOW)).toMatchObject({
      status: 401,
      code: 'signature_invalid',
      reason: 'the x-hub-signature-256 header is missing',
    });
    expect(checkSignature(github, { 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) }, body, NOW)).toMatchObject({
      status: 401,
      reason: 'x-hub-signature-256 does not match the body',
    });
  });

  it('passes a signature made with any secret of a rotating list, for the new schemes too', () => {
    const stripeHeader = (secret: string) =>
      `t=${T},v1=` + createHmac('sha256', secret).update(`${T}.`).update(body).digest('hex');
    const slackHeaders = (secret: string) => ({
      'x-slack-request-timestamp': String(T),
      'x-slack-signature': 'v0=' + createHmac('sha256', secret).update(`v0:${T}:`).update(body).digest('hex'),
    });
    const shopifyHeaders = (secret: string) => ({
      'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
    });
    const cases = [
      [{ scheme: 'stripe' }, (s: string) => ({ 'stripe-signature': stripeHeader(s) })],
      [{ scheme: 'slack' }, slackHeaders],
      [{ scheme: 'hmac', header: 'X-Shopify-Hmac-Sha256', encoding: 'base64' }, shopifyHeaders],
    ] as const;
    for (const [yaml, headersFor] of cases) {
      const rotating = trigger({ ...yaml, secret: ['old-secret', 'new-secret'] });
      expect(checkSignature(rotating, headersFor('old-secret'), body, NOW)).toBeUndefined();
      expect(checkSignature(rotating, headersFor('new-secret'), body, NOW)).toBeUndefined();
      expect(checkSignature(rotating, headersFor('neither'), body, NOW)).toMatchObject({
        status: 401,
        reason: expect.stringMatching(/does not match the body$/),
      });
    }
  });

  it('measures a timestamp against the clock it is given, and never shows the secret or the expected signature', () => {
    const stripe = trigger({ scheme: 'stripe', secret: 'whsec_do-not-show' });
    const expected = createHmac('sha256', 'whsec_do-not-show').update(`${T}.`).update(body).digest('hex');
    const headers = { 'stripe-signature': `t=${T},v1=${expected}` };
    expect(checkSignature(stripe, headers, body, NOW + 299_000)).toBeUndefined();
    const stale = checkSignature(stripe, headers, body, NOW + 301_000);
    expect(stale).toMatchObject({
      status: 401,
      reason: 'the stripe-signature timestamp is 301 s old, 1 s outside the tolerance of 300 s',
    });
    const wrong = checkSignature(stripe, { 'stripe-signature': `t=${T},v1=${'0'.repeat(64)}` }, body, NOW);
    for (const outcome of [stale, wrong]) {
      expect(JSON.stringify(outcome)).not.toContain('do-not-show');
      expect(JSON.stringify(outcome)).not.toContain(expected);
    }
  });
});
