// The generic HMAC scheme as configured for Shopify (base64, no prefix), a GitHub-like
// `sha256=` hex header, sha1 and sha512, and a signed timestamp header; on the raw bytes,
// with an empty body and one that is not UTF-8.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureSchemas } from '../../config/signature-schema.js';
import { hmac } from './hmac.js';

const NOW = 1_760_000_000_000;
const configOf = (yaml: Record<string, unknown>) => signatureSchemas.hmac.parse({ scheme: 'hmac', secret: 'unused', ...yaml });
const shopify = configOf({ header: 'X-Shopify-Hmac-Sha256', encoding: 'base64' });
const verify = (config: ReturnType<typeof configOf>, secret: string, body: Buffer, headers: Record<string, string>) =>
  hmac.verify(secret, { headers, rawBody: body, now: NOW }, config);
const mac = (algorithm: string, secret: string, ...parts: (string | Buffer)[]) => {
  const h = createHmac(algorithm, secret);
  for (const part of parts) h.update(part);
  return h.digest();
};

describe('the hmac signature scheme', () => {
  it('verifies a Shopify-style base64 HMAC-SHA256 of the body', () => {
    const body = Buffer.from('{"id":820982911946154508,"email":"jon@example.com"}');
    const headers = { 'x-shopify-hmac-sha256': mac('sha256', 'shpss_secret', body).toString('base64') };
    expect(verify(shopify, 'shpss_secret', body, headers)).toBeUndefined();
    expect(verify(shopify, 'shpss_other', body, headers)).toBe('x-shopify-hmac-sha256 does not match the body');
    expect(verify(shopify, 'shpss_secret', Buffer.from('{"id":1}'), headers)).toBe(
      'x-shopify-hmac-sha256 does not match the body',
    );
  });

  it('verifies the bytes as received for each algorithm and encoding: empty and not UTF-8, refused with another secret', () => {
    for (const algorithm of ['sha256', 'sha1', 'sha512'] as const)
      for (const encoding of ['hex', 'base64'] as const) {
        const config = configOf({ header: 'X-Sig', algorithm, encoding });
        for (const body of [Buffer.alloc(0), Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b])]) {
          const headers = { 'x-sig': mac(algorithm, 's3cret', body).toString(encoding) };
          expect(verify(config, 's3cret', body, headers)).toBeUndefined();
          expect(verify(config, 'other', body, headers)).toBe('x-sig does not match the body');
        }
      }
  });

  it('takes the signature after a prefix, and refuses a header without it', () => {
    const config = configOf({ header: 'X-Signature', prefix: 'sha256=' });
    const body = Buffer.from('{}');
    const hex = mac('sha256', 's3cret', body).toString('hex');
    expect(verify(config, 's3cret', body, { 'x-signature': `sha256=${hex}` })).toBeUndefined();
    expect(verify(config, 's3cret', body, { 'x-signature': hex })).toBe(
      'the x-signature header is malformed: expected sha256= and a hex signature',
    );
  });

  it('signs `${timestamp}.${body}` with a timestamp header, and refuses one outside the tolerance', () => {
    const config = configOf({ header: 'X-Sig', timestamp_header: 'X-Timestamp', tolerance: '1m' });
    const body = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b]);
    const at = String(NOW / 1000 - 30);
    const signed = { 'x-sig': mac('sha256', 's3cret', `${at}.`, body).toString('hex'), 'x-timestamp': at };
    expect(verify(config, 's3cret', body, signed)).toBeUndefined();
    expect(verify(config, 's3cret', body, { ...signed, 'x-timestamp': String(NOW / 1000 - 29) })).toBe(
      'x-sig does not match the body',
    );
    const stale = String(NOW / 1000 - 90);
    const old = { 'x-sig': mac('sha256', 's3cret', `${stale}.`, body).toString('hex'), 'x-timestamp': stale };
    expect(verify(config, 's3cret', body, old)).toBe('the x-timestamp header is 90 s old, 30 s outside the tolerance of 60 s');
    expect(verify(config, 's3cret', body, { 'x-sig': signed['x-sig'] })).toBe('the x-timestamp header is missing');
  });

  it('refuses a missing header and one that is not in the encoding, saying which', () => {
    const body = Buffer.from('{}');
    expect(verify(shopify, 's', body, {})).toBe('the x-shopify-hmac-sha256 header is missing');
    expect(verify(shopify, 's', body, { 'x-shopify-hmac-sha256': 'not base64!' })).toBe(
      'the x-shopify-hmac-sha256 header is malformed: expected a base64 signature',
    );
    expect(verify(configOf({ header: 'X-Sig' }), 's', body, { 'x-sig': 'abc' })).toBe(
      'the x-sig header is malformed: expected a hex signature',
    );
  });
});
