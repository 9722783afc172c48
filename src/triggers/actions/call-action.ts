// `call: Display_1.power` with templated `args`: calls a module method.
import type { CallAction } from '../../config/schema.js';
import { splitTarget } from '../../drivers/addresses.js';
import { render } from '../template.js';
import type { ActionRunner } from './action-runner.js';

export const callAction: ActionRunner<CallAction> = {
  target: (action) => action.call,
  async run(action, ctx) {
    const { address, method } = splitTarget(action.call);
    const systemId = action.system ?? ctx.systemId;
    if (!systemId) throw new Error(`${action.call} needs a system: give \`system:\` on the action`);
    const module = ctx.modules.find(systemId, address);
    if (!module) throw new Error(`system ${systemId} has no module ${address}`);
    await module.call(method, render(action.args, ctx.input));
  },
};
