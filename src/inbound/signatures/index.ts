// The signature schemes a trigger can declare, keyed like config's `signature.scheme`.
import type { SignatureConfig, SignatureConfigOf, SignatureSchemeName } from '../../config/signature-schema.js';
import { github } from './github.js';
import { hmac } from './hmac.js';
import type { SignatureScheme } from './signature-scheme.js';
import { slack } from './slack.js';
import { standardWebhooks } from './standard-webhooks.js';
import { stripe } from './stripe.js';

export const signatureSchemes: { [K in SignatureSchemeName]: SignatureScheme<SignatureConfigOf<K>> } = {
  'standard-webhooks': standardWebhooks,
  github,
  stripe,
  slack,
  hmac,
};

/** The scheme a trigger's `signature:` names, taking that config. */
export function schemeOf(config: SignatureConfig): SignatureScheme<SignatureConfig> {
  // The registry pairs each scheme with its own config's type; indexed by a union, TS loses the pairing.
  return signatureSchemes[config.scheme] as SignatureScheme<SignatureConfig>;
}

/** The headers of a trigger's signature that the request log must redact beyond the secret-looking names. */
export function signatureHeadersOf(config: SignatureConfig | undefined): readonly string[] {
  return config ? (schemeOf(config).signatureHeaders?.(config) ?? []) : [];
}
