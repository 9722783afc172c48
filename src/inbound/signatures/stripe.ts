// Stripe's Stripe-Signature: `t=TIMESTAMP,v1=HEX[,v1=HEX…]`, each v1 an HMAC-SHA256 of
// `${t}.${body}` with the endpoint's `whsec_` secret used as it is written (Stripe signs with
// each of an endpoint's secrets while one rolls, so any v1 may match). Verified on the raw
// bytes: the `stripe` library decodes the body as UTF-8 (and refuses an empty one) before
// signing, so it is our tests' signer rather than our verifier.
import { createHmac } from 'node:crypto';
import type { SignatureConfigOf } from '../../config/signature-schema.js';
import { matchesAny } from './matches-any.js';
import { header, type SignatureScheme } from './signature-scheme.js';
import { checkSignedTimestamp } from './signed-timestamp.js';

const V1 = /^[0-9a-f]{64}$/i;

export const stripe: SignatureScheme<SignatureConfigOf<'stripe'>> = {
  verify(secret, request, config) {
    const value = header(request, 'stripe-signature');
    if (!value) return 'the stripe-signature header is missing';
    const fields = value.split(',').map((field) => field.trim().split('='));
    const t = fields.find(([name]) => name === 't')?.[1];
    // Other schemes (v0, Stripe's test-mode signature) are ignored, as Stripe's libraries do.
    const v1 = fields.filter(([name, hex]) => name === 'v1' && hex !== undefined && V1.test(hex)).map(([, hex]) => hex!);
    if (t === undefined || v1.length === 0)
      return 'the stripe-signature header is malformed: expected t=TIMESTAMP,v1=SIGNATURE (64 hex digits)';
    const time = checkSignedTimestamp('stripe-signature timestamp', t, request.now, config.tolerance);
    if ('refused' in time) return time.refused;
    const expected = createHmac('sha256', secret).update(`${time.seconds}.`).update(request.rawBody).digest();
    const given = v1.map((hex) => Buffer.from(hex, 'hex'));
    return matchesAny(expected, given) ? undefined : 'stripe-signature does not match the body';
  },
};
