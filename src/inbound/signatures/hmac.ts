// A provider's own HMAC header, described in config (Shopify's X-Shopify-Hmac-Sha256 is
// `header: X-Shopify-Hmac-Sha256, encoding: base64`): the HMAC of the raw body with the secret,
// in hex or base64, after an optional prefix. With `timestamp_header` the signed bytes are
// `${timestamp}.${body}` instead, and a timestamp outside the tolerance is refused.
import { createHmac } from 'node:crypto';
import type { SignatureConfigOf } from '../../config/signature-schema.js';
import { matchesAny } from './matches-any.js';
import { header, type SignatureScheme } from './signature-scheme.js';
import { checkSignedTimestamp } from './signed-timestamp.js';

// Strict shapes: Buffer.from would otherwise stop quietly at the first character it cannot read.
const ENCODED = { hex: /^(?:[0-9a-f]{2})+$/i, base64: /^[A-Za-z0-9+/]+={0,2}$/ } as const;

export const hmac: SignatureScheme<SignatureConfigOf<'hmac'>> = {
  verify(secret, request, config) {
    const name = config.header;
    const value = header(request, name)?.trim();
    if (!value) return `the ${name} header is missing`;
    const prefix = config.prefix ?? '';
    const encoded = value.startsWith(prefix) ? value.slice(prefix.length) : undefined;
    const shape = prefix ? `${prefix} and a ${config.encoding} signature` : `a ${config.encoding} signature`;
    if (encoded === undefined || !ENCODED[config.encoding].test(encoded))
      return `the ${name} header is malformed: expected ${shape}`;
    const mac = createHmac(config.algorithm, secret);
    if (config.timestamp_header !== undefined) {
      const stamp = header(request, config.timestamp_header);
      const time = checkSignedTimestamp(`${config.timestamp_header} header`, stamp, request.now, config.tolerance);
      if ('refused' in time) return time.refused;
      mac.update(`${time.seconds}.`);
    }
    const expected = mac.update(request.rawBody).digest();
    return matchesAny(expected, [Buffer.from(encoded, config.encoding)]) ? undefined : `${name} does not match the body`;
  },
  // The header is named by the provider (X-Shopify-Hmac-Sha256), so only config knows it carries a signature.
  signatureHeaders: (config) => [config.header],
};
