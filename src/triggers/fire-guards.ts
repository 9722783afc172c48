// The guards a request's fire commits under, decided by the store in the fire's own commit
// (CommitGuards), so every node sharing the database gives the same answer.
//
// Debounce with PlaceOS's meaning. `hold`: the first request fires, every request inside the
// window extends it, and only a quiet gap of a whole period re-arms. `throttle`: at most one
// fire per fixed period. A window is kept per instance, or with `debounce_key` per instance
// and value (one camera's motion does not swallow another's), across reloads; a reload that
// changes or removes an instance forgets its windows.
//
// Idempotency: a sender's delivery id is claimed by the run its request fired, for the
// window; a request whose key is held fires nothing and is answered with the first run.
import type { CommitGuard } from '../store/writes.js';
import { windowKey } from '../store/writes.js';
import type { TriggerInstance } from './instance-catalog.js';

/** The debounce guard of a fire of this instance (per key `value` when given); none when its trigger does not debounce. */
export function debounceGuard(instance: TriggerInstance, at: number, value?: string): CommitGuard | undefined {
  const { debounce, debounce_mode } = instance.trigger;
  if (debounce <= 0) return undefined;
  return { kind: 'debounce', key: windowKey(instance.id, value), periodMs: debounce, mode: debounce_mode, at };
}

/** The claim of a sender's idempotency key `key` by the run `runId` for the trigger's window. */
export function idempotencyGuard(instance: TriggerInstance, key: string, runId: string, at: number): CommitGuard {
  return {
    kind: 'idempotency',
    key: windowKey(instance.id, key),
    run: runId,
    windowMs: instance.trigger.idempotency!.window,
    at,
  };
}
