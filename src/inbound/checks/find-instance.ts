// Checks 1 and 2 of DESIGN.md: the instance exists, is enabled, its trigger takes webhooks,
// the secret is right and the caller's address is allowed. Every refusal here is the same
// 404, reached by the same work: the secret is always compared (against a dummy digest
// for an unknown instance) and only the log's reason says which check refused.
import { TriggerNotFound } from '../../errors.js';
import type { InstanceCatalog, TriggerInstance } from '../../triggers/instance-catalog.js';
import { instanceIdOf, secretOf, type InboundRequest } from '../inbound-request.js';
import { refusal } from '../outcome.js';
import { pass, refuse, type Checked } from './checked.js';

/** One answer for every refusal here, built once: the same bytes whatever the reason. */
const NOT_FOUND = refusal(new TriggerNotFound());

export function findInstance(catalog: InstanceCatalog, request: InboundRequest): Checked<TriggerInstance> {
  const instance = catalog.get(instanceIdOf(request));
  const secret = secretOf(request);
  const secretRight = catalog.secretMatches(instance, secret ?? '');
  const addressAllowed = instance ? instance.allows(request.clientIp) : false;
  const reason = !instance
    ? 'unknown instance'
    : !instance.config.enabled
      ? 'instance disabled'
      : !instance.trigger.webhook
        ? 'webhooks are off for its trigger'
        : secret === undefined
          ? 'secret missing'
          : !secretRight
            ? 'secret wrong'
            : !addressAllowed
              ? `address ${request.clientIp} not in allow_from`
              : undefined;
  return reason === undefined ? pass(instance!) : refuse({ ...NOT_FOUND, reason });
}
