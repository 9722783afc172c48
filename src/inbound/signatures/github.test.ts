// GitHub's signature over the raw bytes: GitHub's published test vector, an empty body, a
// body that is not UTF-8, and octokit's own signing function agree with the verifier.
import { sign } from '@octokit/webhooks-methods';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureSchemas } from '../../config/signature-schema.js';
import { github } from './github.js';

const config = signatureSchemas.github.parse({ scheme: 'github', secret: 'unused' });
const verify = (secret: string, body: Buffer, signature?: string) =>
  github.verify(
    secret,
    { headers: signature === undefined ? {} : { 'x-hub-signature-256': signature }, rawBody: body, now: 0 },
    config,
  );

describe('the github signature scheme', () => {
  it("accepts GitHub's documented example", () => {
    const signature = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(verify("It's a Secret to Everybody", Buffer.from('Hello, World!'), signature)).toBeUndefined();
  });

  it("accepts what octokit's signing function makes", async () => {
    const body = '{"action":"opened","number":1}';
    expect(verify('s3cret', Buffer.from(body), await sign('s3cret', body))).toBeUndefined();
  });

  it('verifies the bytes as received: an empty body and one that is not UTF-8', () => {
    for (const body of [Buffer.alloc(0), Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b])]) {
      const signature = 'sha256=' + createHmac('sha256', 's3cret').update(body).digest('hex');
      expect(verify('s3cret', body, signature)).toBeUndefined();
      expect(verify('other', body, signature)).toBe('x-hub-signature-256 does not match the body');
    }
  });

  it('refuses a missing, malformed or wrong signature, saying which', () => {
    const body = Buffer.from('{}');
    expect(verify('s3cret', body)).toBe('the x-hub-signature-256 header is missing');
    expect(verify('s3cret', body, 'sha1=abc')).toBe(
      'the x-hub-signature-256 header is malformed: expected sha256= and 64 hex digits',
    );
    expect(verify('s3cret', body, 'sha256=' + '0'.repeat(64))).toBe('x-hub-signature-256 does not match the body');
  });
});
