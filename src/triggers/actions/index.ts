// The action kinds the engine runs, keyed like config's actionSchemas.
import type { ActionConfig, ActionKind } from '../../config/schema.js';
import type { ActionRunner } from './action-runner.js';
import { callAction } from './call-action.js';
import { delayAction } from './delay-action.js';
import { emailAction } from './email-action.js';
import { emitAction } from './emit-action.js';
import { respondAction } from './respond-action.js';

export const actionRunners: { [K in ActionKind]: ActionRunner<Extract<ActionConfig, { kind: K }>> } = {
  call: callAction,
  emit: emitAction,
  delay: delayAction,
  email: emailAction,
  respond: respondAction,
};

export function runnerFor(action: ActionConfig): ActionRunner<ActionConfig> {
  return actionRunners[action.kind] as ActionRunner<ActionConfig>;
}
