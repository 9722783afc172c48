// `emit: room.ready` with templated `data`: emits an event from the system the action runs for.
import type { EmitAction } from '../../config/schema.js';
import { render } from '../template.js';
import type { ActionRunner } from './action-runner.js';

export const emitAction: ActionRunner<EmitAction> = {
  target: (action) => action.emit,
  async run(action, ctx) {
    await ctx.emit(action.emit, render(action.data, ctx.input) as Record<string, unknown>);
  },
};
