// `emit: room.ready` with templated `data`: emits an event from the system the action runs for.
import type { EmitAction } from '../../config/schema.js';
import { isTemplated, render } from '../template.js';
import type { ActionRunner } from './action-runner.js';

export const emitAction: ActionRunner<EmitAction> = {
  target: (action) => action.emit,
  resolve: (action, input) => render(action.data, input),
  templated: (action) => isTemplated(action.data),
  async run(action, ctx) {
    const data = render(action.data, ctx.input) as Record<string, unknown>;
    const event = await ctx.emit(action.emit, data);
    return { ...(isTemplated(action.data) && { args: data }), ...(event !== undefined && { event }) };
  },
};
