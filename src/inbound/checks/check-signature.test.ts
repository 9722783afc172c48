// Check 5b without a server: no signature declared passes; a wrong one is 401 with the verifier's reason.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/schema.js';
import { checkSignature } from './check-signature.js';

const trigger = (signature?: unknown) => configSchema.parse({ triggers: [{ id: 't', signature }] }).triggers[0]!;
const body = Buffer.from('{"action":"opened"}');

describe('checkSignature', () => {
  it('passes a trigger that declares no signature', async () => {
    expect(await checkSignature(trigger(), {}, body)).toBeUndefined();
  });

  it('passes the right GitHub signature and refuses a wrong or missing one with the reason', async () => {
    const github = trigger({ scheme: 'github', secret: 'gh-secret' });
    const good = 'sha256=' + createHmac('sha256', 'gh-secret').update(body).digest('hex');
    expect(await checkSignature(github, { 'x-hub-signature-256': good }, body)).toBeUndefined();
    expect(await checkSignature(github, {}, body)).toMatchObject({
      status: 401,
      code: 'signature_invalid',
      reason: 'the x-hub-signature-256 header is missing',
    });
    expect(await checkSignature(github, { 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) }, body)).toMatchObject({
      status: 401,
      reason: 'x-hub-signature-256 does not match the body',
    });
  });
});
