// Debounce with PlaceOS's meaning, decided by the store in the fire's own commit (a
// CommitGuard), so every node sharing the database gives the same answer. `hold`: the
// first request fires, every request inside the window extends it, and only a quiet gap
// of a whole period re-arms. `throttle`: at most one fire per fixed period. A window is
// kept per instance across reloads; a reload that changes or removes an instance forgets
// its window.
import type { CommitGuard } from '../store/writes.js';
import type { TriggerInstance } from './instance-catalog.js';

/** The guard a request's fire of this instance commits under; none when its trigger does not debounce. */
export function debounceGuard(instance: TriggerInstance, at: number): CommitGuard | undefined {
  const { debounce, debounce_mode } = instance.trigger;
  if (debounce <= 0) return undefined;
  return { kind: 'debounce', key: instance.id, periodMs: debounce, mode: debounce_mode, at };
}
