// `call: Display_1.power` with templated `args`: calls a module method.
import type { CallAction } from '../../config/schema.js';
import { splitTarget } from '../../drivers/addresses.js';
import { isTemplated, render } from '../template.js';
import type { ActionRunner } from './action-runner.js';

export const callAction: ActionRunner<CallAction> = {
  target: (action) => action.call,
  resolve: (action, input) => render(action.args, input),
  templated: (action) => isTemplated(action.args),
  async run(action, ctx) {
    const { address, method } = splitTarget(action.call);
    const systemId = action.system ?? ctx.systemId;
    if (!systemId) throw new Error(`${action.call} needs a system: give \`system:\` on the action`);
    const module = ctx.modules.find(systemId, address);
    if (!module) throw new Error(`system ${systemId} has no module ${address}`);
    const args = render(action.args, ctx.input);
    const result = await module.call(method, args);
    return { ...(isTemplated(action.args) && { args }), ...(result !== undefined && result !== null && { result }) };
  },
};
