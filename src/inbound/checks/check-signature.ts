// Check 5b: the provider signature a trigger declares, verified on the raw bytes before
// anything parses them; a missing, wrong or stale signature is 401 with the verifier's reason.
// During a rotation of the provider's secret the trigger lists several: any one that verifies
// passes (each is tried, so which one matched does not show in the time taken).
import type { IncomingHttpHeaders } from 'node:http';
import type { TriggerConfig } from '../../config/schema.js';
import { SignatureInvalid } from '../../errors.js';
import { refusal, type Outcome } from '../outcome.js';
import { schemeOf } from '../signatures/index.js';

/** `now`: the engine clock's time (ms), which a signed timestamp's age is measured against. */
export function checkSignature(
  trigger: TriggerConfig,
  headers: IncomingHttpHeaders,
  rawBody: Buffer,
  now: number,
): Outcome | undefined {
  const config = trigger.signature;
  if (!config) return undefined;
  const scheme = schemeOf(config);
  const secrets = typeof config.secret === 'string' ? [config.secret] : config.secret;
  let passed = false;
  let reason: string | undefined;
  for (const secret of secrets) {
    const refused = scheme.verify(secret, { headers, rawBody, now }, config);
    if (refused === undefined) passed = true;
    else reason ??= refused;
  }
  return passed || reason === undefined ? undefined : refusal(new SignatureInvalid(reason), reason);
}
