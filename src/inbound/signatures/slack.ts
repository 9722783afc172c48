// Slack's X-Slack-Signature: `v0=` and the hex HMAC-SHA256 of `v0:${timestamp}:${body}` with
// the app's signing secret, the timestamp from X-Slack-Request-Timestamp (refused when older
// than the tolerance, 5 minutes as Slack advises). Verified on the raw bytes, in constant time.
import { createHmac } from 'node:crypto';
import type { SignatureConfigOf } from '../../config/signature-schema.js';
import { matchesAny } from './matches-any.js';
import { header, type SignatureScheme } from './signature-scheme.js';
import { checkSignedTimestamp } from './signed-timestamp.js';

const SIGNATURE = /^v0=([0-9a-f]{64})$/i;

export const slack: SignatureScheme<SignatureConfigOf<'slack'>> = {
  verify(secret, request, config) {
    const signature = header(request, 'x-slack-signature');
    if (!signature) return 'the x-slack-signature header is missing';
    const given = SIGNATURE.exec(signature.trim());
    if (!given) return 'the x-slack-signature header is malformed: expected v0= and 64 hex digits';
    const timestamp = header(request, 'x-slack-request-timestamp');
    const time = checkSignedTimestamp('x-slack-request-timestamp header', timestamp, request.now, config.tolerance);
    if ('refused' in time) return time.refused;
    const expected = createHmac('sha256', secret).update(`v0:${time.seconds}:`).update(request.rawBody).digest();
    return matchesAny(expected, [Buffer.from(given[1]!, 'hex')]) ? undefined : 'x-slack-signature does not match the body';
  },
};
