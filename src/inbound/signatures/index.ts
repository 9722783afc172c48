// The signature schemes a trigger can declare, keyed like config's `signature.scheme`.
import type { SignatureConfigOf, SignatureSchemeName } from '../../config/signature-schema.js';
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
