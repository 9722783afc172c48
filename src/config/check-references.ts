// Checks what zod cannot see alone: unique ids, and references between zones,
// systems, triggers and instances (module targets are checked with the drivers).
// Reads what passed the schema: an item it refused still counts as there when its id did.
import type { ConfigParts } from './config-parts.js';
import { shortList } from './short-list.js';
import type { ConfigPath, Problem } from './problems.js';

type Locate = (path: ConfigPath, message: string) => Problem;

export function checkReferences(config: ConfigParts, locate: Locate): Problem[] {
  const problems: Problem[] = [];
  const ids = (section: 'zones' | 'systems' | 'triggers' | 'instances' | 'subscriptions') => {
    const seen = new Set<string>();
    config[section].forEach((item, i) => {
      if (item.id === undefined) return;
      if (seen.has(item.id))
        problems.push(locate([section, i, 'id'], `${section.slice(0, -1)} id "${item.id}" is used twice; ids must be unique`));
      seen.add(item.id);
    });
    return seen;
  };
  const zones = ids('zones');
  const systems = ids('systems');
  const triggers = ids('triggers');
  ids('instances');
  ids('subscriptions');

  const parents = new Map(config.zones.map((z) => [z.id, z.parent]));
  config.zones.forEach((zone, i) => {
    if (zone.parent === undefined || zone.id === undefined) return;
    if (!zones.has(zone.parent))
      return problems.push(
        locate(['zones', i, 'parent'], `zone "${zone.parent}" does not exist; known zones: ${shortList(zones)}`),
      );
    const seen = new Set([zone.id]);
    for (let at: string | undefined = zone.parent; at !== undefined; at = parents.get(at)) {
      if (seen.has(at))
        return problems.push(locate(['zones', i, 'parent'], `zone "${zone.id}" is its own ancestor; zones form a tree`));
      seen.add(at);
    }
  });
  config.systems.forEach((system, i) =>
    system.zones?.forEach((zone, j) => {
      if (zone !== undefined && !zones.has(zone))
        problems.push(locate(['systems', i, 'zones', j], `zone "${zone}" does not exist; known zones: ${shortList(zones)}`));
    }),
  );
  config.instances.forEach((instance, i) => {
    if (instance.trigger !== undefined && !triggers.has(instance.trigger))
      problems.push(
        locate(
          ['instances', i, 'trigger'],
          `trigger "${instance.trigger}" does not exist; known triggers: ${shortList(triggers)}`,
        ),
      );
    if (instance.system !== undefined && !systems.has(instance.system))
      problems.push(
        locate(['instances', i, 'system'], `system "${instance.system}" does not exist; known systems: ${shortList(systems)}`),
      );
  });
  config.subscriptions.forEach((subscription, i) => {
    if (subscription.zone && !zones.has(subscription.zone))
      problems.push(
        locate(['subscriptions', i, 'zone'], `zone "${subscription.zone}" does not exist; known zones: ${shortList(zones)}`),
      );
    if (subscription.system && !systems.has(subscription.system))
      problems.push(
        locate(
          ['subscriptions', i, 'system'],
          `system "${subscription.system}" does not exist; known systems: ${shortList(systems)}`,
        ),
      );
  });
  return problems;
}
