// Runs a list of actions in order outside a recorded run (a subscription's on_failure
// and on_exhausted): a failed action stops the list unless it says continue_on_error.
import type { ActionConfig } from '../../config/schema.js';
import type { ActionContext } from './action-runner.js';
import { runnerFor } from './index.js';

/** Returns what failed, as text; empty when everything ran. */
export async function runActionList(actions: readonly ActionConfig[], ctx: ActionContext): Promise<string[]> {
  const failures: string[] = [];
  for (const [position, action] of actions.entries()) {
    const runner = runnerFor(action);
    try {
      await runner.run(action, ctx);
    } catch (error) {
      failures.push(`action ${position + 1} (${runner.target(action)}): ${(error as Error).message}`);
      if (!action.continue_on_error) break;
    }
  }
  return failures;
}
