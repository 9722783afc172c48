// `delay: 5s`: waits inside the run, on the engine's clock (so tests can move it).
import type { DelayAction } from '../../config/schema.js';
import type { ActionRunner } from './action-runner.js';

export const delayAction: ActionRunner<DelayAction> = {
  target: (action) => `delay ${action.delay} ms`,
  resolve: (action) => ({ ms: action.delay }),
  templated: () => false,
  run: (action, ctx) => new Promise((resolve) => ctx.clock.setTimeout(() => resolve(undefined), action.delay)),
};
