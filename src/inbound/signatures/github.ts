// GitHub's X-Hub-Signature-256: `sha256=` and the hex HMAC-SHA256 of the body with the
// webhook secret. Computed over the raw bytes as received (@octokit/webhooks-methods takes
// a decoded string, which refuses an empty body and any body that is not valid UTF-8),
// compared in constant time.
import { createHmac } from 'node:crypto';
import { matchesAny } from './matches-any.js';
import { header, type SignatureScheme } from './signature-scheme.js';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

export const github: SignatureScheme = {
  verify(secret, request) {
    const signature = header(request, 'x-hub-signature-256');
    if (!signature) return 'the x-hub-signature-256 header is missing';
    const given = SIGNATURE.exec(signature.trim());
    if (!given) return 'the x-hub-signature-256 header is malformed: expected sha256= and 64 hex digits';
    const expected = createHmac('sha256', secret).update(request.rawBody).digest();
    return matchesAny(expected, [Buffer.from(given[1]!, 'hex')]) ? undefined : 'x-hub-signature-256 does not match the body';
  },
};
