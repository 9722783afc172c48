// The signature schemes a trigger can declare, keyed like config's `signature.scheme`.
import type { TriggerConfig } from '../../config/schema.js';
import { github } from './github.js';
import type { SignatureScheme } from './signature-scheme.js';
import { standardWebhooks } from './standard-webhooks.js';

export const signatureSchemes: Record<NonNullable<TriggerConfig['signature']>['scheme'], SignatureScheme> = {
  'standard-webhooks': standardWebhooks,
  github,
};
