// Check 3: the HTTP method is one the trigger takes; else 405 with an Allow header.
import { MethodNotAllowed } from '../../errors.js';
import type { TriggerConfig } from '../../config/schema.js';
import { refusal, type Outcome } from '../outcome.js';

export function checkMethod(trigger: TriggerConfig, method: string): Outcome | undefined {
  return (trigger.methods as readonly string[]).includes(method)
    ? undefined
    : refusal(new MethodNotAllowed(method, trigger.methods));
}
