// Stripe's signature on the raw bytes: the `stripe` library's own test signer and our verifier
// agree; any v1 of several may match; an empty body and one that is not UTF-8 verify (the
// library decodes the body first, so it signs those through node:crypto here); the tolerance
// is measured on the clock we pass in.
import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { signatureSchemas } from '../../config/signature-schema.js';
import { stripe } from './stripe.js';

const SECRET = 'whsec_test_secret';
const NOW = 1_760_000_000_000;
const T = NOW / 1000;
const config = signatureSchemas.stripe.parse({ scheme: 'stripe', secret: SECRET });
const signer = new Stripe('sk_test_unused');

const verify = (secret: string, body: Buffer, header?: string, now = NOW) =>
  stripe.verify(secret, { headers: header === undefined ? {} : { 'stripe-signature': header }, rawBody: body, now }, config);
const hexOf = (secret: string, t: number, body: Buffer) =>
  createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');

describe('the stripe signature scheme', () => {
  it("accepts what Stripe's signing function makes", () => {
    const payload = JSON.stringify({ id: 'evt_test_webhook', object: 'event' }, null, 2);
    const header = signer.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: T });
    expect(verify(SECRET, Buffer.from(payload), header)).toBeUndefined();
    expect(verify('whsec_other', Buffer.from(payload), header)).toBe('stripe-signature does not match the body');
  });

  it('passes when any v1 matches, ignoring other schemes', () => {
    const body = Buffer.from('{"id":"evt_1"}');
    const header = `t=${T},v1=${'0'.repeat(64)},v0=${'1'.repeat(64)},v1=${hexOf(SECRET, T, body)}`;
    expect(verify(SECRET, body, header)).toBeUndefined();
  });

  it('verifies the bytes as received: an empty body and one that is not UTF-8, refused with another secret', () => {
    for (const body of [Buffer.alloc(0), Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b])]) {
      const header = `t=${T},v1=${hexOf(SECRET, T, body)}`;
      expect(verify(SECRET, body, header)).toBeUndefined();
      expect(verify('whsec_other', body, header)).toBe('stripe-signature does not match the body');
    }
  });

  it('refuses a signature older than the tolerance, saying by how much', () => {
    const payload = '{"id":"evt_2"}';
    const header = signer.webhooks.generateTestHeaderString({ payload, secret: SECRET, timestamp: T - 600 });
    expect(verify(SECRET, Buffer.from(payload), header)).toBe(
      'the stripe-signature timestamp is 600 s old, 300 s outside the tolerance of 300 s',
    );
    const longer = signatureSchemas.stripe.parse({ scheme: 'stripe', secret: SECRET, tolerance: '15m' });
    const request = { headers: { 'stripe-signature': header }, rawBody: Buffer.from(payload), now: NOW };
    expect(stripe.verify(SECRET, request, longer)).toBeUndefined();
  });

  it('refuses a missing or malformed header, saying which', () => {
    const body = Buffer.from('{}');
    const malformed = 'the stripe-signature header is malformed: expected t=TIMESTAMP,v1=SIGNATURE (64 hex digits)';
    expect(verify(SECRET, body)).toBe('the stripe-signature header is missing');
    expect(verify(SECRET, body, `v1=${'0'.repeat(64)}`)).toBe(malformed);
    expect(verify(SECRET, body, `t=${T}`)).toBe(malformed);
    expect(verify(SECRET, body, `t=${T},v1=xyz`)).toBe(malformed);
    expect(verify(SECRET, body, `t=later,v1=${'0'.repeat(64)}`)).toBe(
      'the stripe-signature timestamp is malformed: expected a Unix time in seconds',
    );
  });
});
