// The counter writes of one transaction (a fire counted, an action error counted), summed
// per instance so each backend writes one upsert per instance per commit: a busy
// instance's hundred fires in one turn are one statement, not a hundred.
import type { StoreWrite } from './writes.js';

/** The counter writes of one transaction, summed per instance. */
export class WriteCounters {
  readonly fires = new Map<string, { count: number; at: number }>();
  readonly actionErrors = new Map<string, number>();

  /** Takes a counter write (true) or leaves any other write to be applied as it is (false). */
  add(write: StoreWrite): boolean {
    if (write.kind === 'fire_counted') {
      const seen = this.fires.get(write.instanceId);
      this.fires.set(write.instanceId, { count: (seen?.count ?? 0) + 1, at: Math.max(seen?.at ?? 0, write.at) });
      return true;
    }
    if (write.kind === 'action_error_counted') {
      this.actionErrors.set(write.instanceId, (this.actionErrors.get(write.instanceId) ?? 0) + 1);
      return true;
    }
    return false;
  }
}
