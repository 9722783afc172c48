// Check 5b: the provider signature a trigger declares, verified on the raw bytes before
// anything parses them; a missing, wrong or stale signature is 401 with the verifier's reason.
import type { IncomingHttpHeaders } from 'node:http';
import type { TriggerConfig } from '../../config/schema.js';
import { SignatureInvalid } from '../../errors.js';
import { refusal, type Outcome } from '../outcome.js';
import { signatureSchemes } from '../signatures/index.js';

export async function checkSignature(
  trigger: TriggerConfig,
  headers: IncomingHttpHeaders,
  rawBody: Buffer,
): Promise<Outcome | undefined> {
  if (!trigger.signature) return undefined;
  try {
    await signatureSchemes[trigger.signature.scheme].verify(trigger.signature.secret, { headers, rawBody });
    return undefined;
  } catch (error) {
    const reason = (error as Error).message;
    return refusal(new SignatureInvalid(reason), reason);
  }
}
