// Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature): a space-separated list
// of `v1,BASE64` entries, each an HMAC-SHA256 of `${id}.${timestamp}.${body}` with the key the
// `whsec_` secret's base64 holds. Verified per the spec on the raw bytes: the `standardwebhooks`
// library decodes a Buffer body to a string first (so a body that is not UTF-8 never verifies)
// and reads Date.now() for the age check; it stays in our tests, as the signer.
import { createHmac } from 'node:crypto';
import type { SignatureConfigOf } from '../../config/signature-schema.js';
import { matchesAny } from './matches-any.js';
import { header, type SignatureScheme } from './signature-scheme.js';
import { checkSignedTimestamp } from './signed-timestamp.js';

const ENTRY = /^v1,([A-Za-z0-9+/]+={0,2})$/;

export const standardWebhooks: SignatureScheme<SignatureConfigOf<'standard-webhooks'>> = {
  verify(secret, request, config) {
    const id = header(request, 'webhook-id');
    const signature = header(request, 'webhook-signature');
    if (!id) return 'the webhook-id header is missing';
    if (!signature) return 'the webhook-signature header is missing';
    const time = checkSignedTimestamp(
      'webhook-timestamp header',
      header(request, 'webhook-timestamp'),
      request.now,
      config.tolerance,
    );
    if ('refused' in time) return time.refused;
    // Entries of other versions (v1a, asymmetric) are skipped, as the spec says; none left is malformed.
    const given = signature
      .trim()
      .split(/\s+/)
      .flatMap((entry) => ENTRY.exec(entry)?.[1] ?? [])
      .map((base64) => Buffer.from(base64, 'base64'));
    if (given.length === 0) return 'the webhook-signature header is malformed: expected v1, and a base64 signature';
    const key = Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
    const expected = createHmac('sha256', key).update(`${id}.${time.seconds}.`).update(request.rawBody).digest();
    return matchesAny(expected, given) ? undefined : 'webhook-signature does not match the body';
  },
};
