// A trigger's `signature:` per scheme: the defaults each fills in, the keys only some schemes
// take, and messages that name what was wrong (through the loader, with file:line).
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load-config.js';
import { ConfigInvalid } from './problems.js';
import { signatureSchema } from './signature-schema.js';

const problems = (signature: unknown) =>
  signatureSchema.safeParse(signature).error?.issues.map((i) => ({ path: i.path, message: i.message })) ?? [];

describe('signatureSchema', () => {
  it('fills in a 5 minute tolerance for the schemes that sign a timestamp, and takes a duration', () => {
    expect(signatureSchema.parse({ scheme: 'stripe', secret: 'whsec_x' })).toEqual({
      scheme: 'stripe',
      secret: 'whsec_x',
      tolerance: 300_000,
    });
    expect(signatureSchema.parse({ scheme: 'slack', secret: 's', tolerance: '2m' })).toMatchObject({ tolerance: 120_000 });
    expect(signatureSchema.parse({ scheme: 'standard-webhooks', secret: 'whsec_eA==' })).toMatchObject({ tolerance: 300_000 });
    expect(signatureSchema.parse({ scheme: 'github', secret: ['a', 'b'] })).toEqual({ scheme: 'github', secret: ['a', 'b'] });
  });

  it('gives hmac its defaults and keeps header names in lower case, as Node gives them', () => {
    expect(signatureSchema.parse({ scheme: 'hmac', secret: 's', header: 'X-Shopify-Hmac-Sha256', encoding: 'base64' })).toEqual({
      scheme: 'hmac',
      secret: 's',
      header: 'x-shopify-hmac-sha256',
      algorithm: 'sha256',
      encoding: 'base64',
      tolerance: 300_000,
    });
    expect(
      signatureSchema.parse({ scheme: 'hmac', secret: 's', header: 'X-Sig', timestamp_header: 'X-Ts', tolerance: '1m' }),
    ).toMatchObject({ timestamp_header: 'x-ts', tolerance: 60_000 });
  });

  it('names the schemes when the scheme is missing or unknown', () => {
    expect(problems({ secret: 's' })).toEqual([
      { path: ['scheme'], message: 'scheme must be one of: standard-webhooks, github, stripe, slack, hmac' },
    ]);
    expect(problems({ scheme: 'paypal', secret: 's' })[0]?.message).toBe(
      '"paypal" is not a scheme; scheme must be one of: standard-webhooks, github, stripe, slack, hmac',
    );
  });

  it('refuses a key of another scheme, saying which schemes take it', () => {
    expect(problems({ scheme: 'github', secret: 's', header: 'X-Sig' })).toEqual([
      { path: ['header'], message: 'header is for scheme hmac; github does not take it' },
    ]);
    expect(problems({ scheme: 'github', secret: 's', tolerance: '5m' })).toEqual([
      { path: ['tolerance'], message: 'tolerance is for scheme standard-webhooks, stripe, slack, hmac; github does not take it' },
    ]);
  });

  it('refuses hmac without its header, with an unknown algorithm or encoding, and a tolerance without a timestamp', () => {
    expect(problems({ scheme: 'hmac', secret: 's' })).toEqual([
      { path: ['header'], message: 'hmac needs header: the header that carries the signature, such as X-Shopify-Hmac-Sha256' },
    ]);
    expect(problems({ scheme: 'hmac', secret: 's', header: 'X-Sig', algorithm: 'md5' })[0]?.path).toEqual(['algorithm']);
    expect(problems({ scheme: 'hmac', secret: 's', header: 'X-Sig', encoding: 'base32' })[0]?.path).toEqual(['encoding']);
    expect(problems({ scheme: 'hmac', secret: 's', header: 'X Sig' })[0]?.message).toContain('write a header name');
    expect(problems({ scheme: 'hmac', secret: 's', header: 'X-Sig', tolerance: '5m' })).toEqual([
      {
        path: ['tolerance'],
        message: 'tolerance applies to a signed timestamp: give timestamp_header too, or leave tolerance out',
      },
    ]);
  });

  it('refuses a tolerance that is not a duration or is under a second', () => {
    expect(problems({ scheme: 'stripe', secret: 's', tolerance: 300 })[0]?.message).toBe(
      'write 300s or 300000ms: durations carry a unit',
    );
    expect(problems({ scheme: 'slack', secret: 's', tolerance: '10ms' })[0]?.message).toContain('a tolerance under 1s');
  });

  it('reports a mistake through the loader at its file, line and path', () => {
    const yaml = 'triggers:\n  - id: t\n    signature:\n      scheme: stripe\n      secret: s\n      header: X-Sig\n';
    let thrown: unknown;
    try {
      loadConfig('/nonexistent', {}, { 'triggers.yaml': yaml });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigInvalid);
    expect((thrown as ConfigInvalid).problems).toEqual([
      expect.objectContaining({
        line: 6,
        path: 'triggers[0].signature.header',
        message: 'header is for scheme hmac; stripe does not take it',
      }),
    ]);
  });
});
