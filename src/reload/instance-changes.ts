// Which trigger instances a reload adds, changes or removes. An instance is unchanged when
// its own config and its trigger's are the same (as canonical JSON): only those keep their
// debounce window and edge state; every instance keeps its URL and secret, which follow its id.
import { canonicalJson } from '../config/config-hash.js';
import type { Config } from '../config/schema.js';

export interface InstanceChanges {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
}

export function instanceChanges(running: Config, next: Config): InstanceChanges {
  const before = signatures(running);
  const changes: InstanceChanges = { added: [], changed: [], removed: [], unchanged: [] };
  for (const [id, signature] of signatures(next)) {
    const was = before.get(id);
    before.delete(id);
    if (was === undefined) changes.added.push(id);
    else if (was === signature) changes.unchanged.push(id);
    else changes.changed.push(id);
  }
  changes.removed.push(...before.keys());
  return changes;
}

function signatures(config: Config): Map<string, string> {
  const triggers = new Map(config.triggers.map((t) => [t.id, t]));
  return new Map(
    config.instances.map((instance) => [instance.id, canonicalJson({ instance, trigger: triggers.get(instance.trigger) })]),
  );
}
