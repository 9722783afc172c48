// Check 5b: the provider signature a trigger declares, verified on the raw bytes before
// anything parses them; a missing, wrong or stale signature is 401 with the verifier's reason.
// During a rotation of the provider's secret the trigger lists several: any one that verifies
// passes (each is tried, so which one matched does not show in the time taken).
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
  const scheme = signatureSchemes[trigger.signature.scheme];
  const secrets = typeof trigger.signature.secret === 'string' ? [trigger.signature.secret] : trigger.signature.secret;
  let passed = false;
  let reason = '';
  for (const secret of secrets) {
    try {
      await scheme.verify(secret, { headers, rawBody });
      passed = true;
    } catch (error) {
      reason ||= (error as Error).message;
    }
  }
  return passed ? undefined : refusal(new SignatureInvalid(reason), reason);
}
