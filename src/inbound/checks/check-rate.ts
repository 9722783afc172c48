// Check 4: the instance's rate limit (per `rate_key` value when given), after the secret and
// the method, before the body is read: an over-eager sender costs no body read and no commit.
import { RateLimited } from '../../errors.js';
import { windowKey } from '../../store/writes.js';
import type { TriggerInstance } from '../../triggers/instance-catalog.js';
import type { InboundRequest } from '../inbound-request.js';
import { refusal, type Outcome } from '../outcome.js';
import type { RateLimiter } from '../rate-limiter.js';
import { queryWithoutSecret } from '../logged-request.js';
import { requestKey } from '../request-key.js';

export async function checkRate(
  instance: TriggerInstance,
  request: InboundRequest,
  limiter: RateLimiter,
  at: number,
): Promise<Outcome | undefined> {
  const { rate_limit, rate_key } = instance.trigger;
  if (!rate_limit) return undefined;
  const value = rate_key === undefined ? undefined : (requestKey(rate_key, keyInput(request)) ?? '');
  const waitMs = await limiter.take(windowKey(instance.id, value), { requests: rate_limit.requests, perMs: rate_limit.per }, at);
  return waitMs > 0 ? refusal(new RateLimited(rate_limit.requests, rate_limit.per, waitMs)) : undefined;
}

/** What a rate_key reads: the request before its body, the query without the secret. */
function keyInput(request: InboundRequest) {
  return { method: request.method, headers: request.headers, query: queryWithoutSecret(request.query), body: undefined };
}
