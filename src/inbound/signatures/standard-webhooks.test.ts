// Standard Webhooks on the raw bytes: the `standardwebhooks` library signs, our verifier
// checks; an empty body and one that is not UTF-8 (which the library itself cannot verify,
// as it decodes the body first) verify; the age is measured on the clock we pass in.
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { signatureSchemas } from '../../config/signature-schema.js';
import { standardWebhooks } from './standard-webhooks.js';

const SECRET = 'whsec_' + Buffer.from('standard-webhooks-test-key-32byte').toString('base64');
const OTHER = 'whsec_' + Buffer.from('another-key-of-thirty-two-bytes!').toString('base64');
const NOW = 1_760_000_000_000;
const config = signatureSchemas['standard-webhooks'].parse({ scheme: 'standard-webhooks', secret: SECRET });

const headersFor = (signature: string, at = NOW) => ({
  'webhook-id': 'msg_1',
  'webhook-timestamp': String(Math.floor(at / 1000)),
  'webhook-signature': signature,
});
const verify = (secret: string, body: Buffer, headers: Record<string, string>, now = NOW) =>
  standardWebhooks.verify(secret, { headers, rawBody: body, now }, config);
/** What a sender following the spec computes over the bytes (the library cannot take bytes that are not UTF-8). */
const specSign = (body: Buffer, at = NOW) => {
  const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', key)
    .update(`msg_1.${Math.floor(at / 1000)}.`)
    .update(body)
    .digest('base64');
  return `v1,${mac}`;
};

describe('the standard-webhooks signature scheme', () => {
  it("accepts what the library's signing function makes, among other entries", () => {
    const body = '{"type":"meeting.created"}';
    const signature = new Webhook(SECRET).sign('msg_1', new Date(NOW), body);
    expect(verify(SECRET, Buffer.from(body), headersFor(signature))).toBeUndefined();
    expect(verify(SECRET, Buffer.from(body), headersFor(`v1a,abc v1,${'A'.repeat(44)} ${signature}`))).toBeUndefined();
  });

  it('verifies the bytes as received: an empty body and one that is not UTF-8, refused with another secret', () => {
    for (const body of [Buffer.alloc(0), Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b])]) {
      expect(verify(SECRET, body, headersFor(specSign(body)))).toBeUndefined();
      expect(verify(OTHER, body, headersFor(specSign(body)))).toBe('webhook-signature does not match the body');
    }
  });

  it('shows why the library is not the verifier: it decodes the body, so bytes that are not UTF-8 fail there', () => {
    const body = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b]);
    const headers = headersFor(specSign(body, Date.now()), Date.now());
    expect(() => new Webhook(SECRET).verify(body, headers)).toThrow('No matching signature found');
  });

  it('refuses a timestamp outside the tolerance either way, saying by how much', () => {
    const body = Buffer.from('{}');
    const stale = NOW - 3_600_000;
    expect(verify(SECRET, body, headersFor(specSign(body, stale), stale))).toBe(
      'the webhook-timestamp header is 3600 s old, 3300 s outside the tolerance of 300 s',
    );
    const ahead = NOW + 301_000;
    expect(verify(SECRET, body, headersFor(specSign(body, ahead), ahead))).toBe(
      'the webhook-timestamp header is 301 s ahead of our clock, 1 s outside the tolerance of 300 s',
    );
    expect(verify(SECRET, body, headersFor(specSign(body, NOW - 299_000), NOW - 299_000))).toBeUndefined();
  });

  it('refuses missing or malformed headers, saying which', () => {
    const body = Buffer.from('{}');
    const good = headersFor(specSign(body));
    expect(verify(SECRET, body, { ...good, 'webhook-id': '' })).toBe('the webhook-id header is missing');
    expect(verify(SECRET, body, { ...good, 'webhook-signature': '' })).toBe('the webhook-signature header is missing');
    expect(verify(SECRET, body, { ...good, 'webhook-timestamp': '' })).toBe('the webhook-timestamp header is missing');
    expect(verify(SECRET, body, { ...good, 'webhook-timestamp': 'soon' })).toBe(
      'the webhook-timestamp header is malformed: expected a Unix time in seconds',
    );
    expect(verify(SECRET, body, { ...good, 'webhook-signature': 'v2,abc' })).toBe(
      'the webhook-signature header is malformed: expected v1, and a base64 signature',
    );
  });
});
