// An instance as an operator sees it, in `switchboard instances` and the admin API: is it
// enabled and reachable, may it exec, how often it fired and when last, how many actions
// failed and comparisons could not be made, and whether its conditions held when last
// evaluated (PlaceOS's triggered, trigger_count, action_errors, comparison_errors).
import type { Config } from '../config/schema.js';
import type { InstanceStats } from '../store/runs-repo.js';

export interface InstanceView {
  id: string;
  trigger: string;
  system: string;
  enabled: boolean;
  /** Enabled, and its trigger takes webhooks: its URL answers. */
  reachable: boolean;
  exec: boolean;
  trigger_count: number;
  last_fired_at: string | null;
  action_errors: number;
  comparison_errors: number;
  /** Whether its conditions held when last evaluated; null for an instance without conditions. */
  triggered: boolean | null;
}

export function instanceViews(config: Config, stats: ReadonlyMap<string, InstanceStats>): InstanceView[] {
  const triggers = new Map(config.triggers.map((t) => [t.id, t]));
  return config.instances.map((instance) => {
    const trigger = triggers.get(instance.trigger);
    const s = stats.get(instance.id);
    const hasConditions = (trigger?.conditions ?? []).some((c) => c.kind === 'compare');
    return {
      id: instance.id,
      trigger: instance.trigger,
      system: instance.system,
      enabled: instance.enabled,
      reachable: instance.enabled && (trigger?.webhook ?? false),
      exec: instance.exec,
      trigger_count: s?.trigger_count ?? 0,
      last_fired_at: s?.last_fired_at ? new Date(s.last_fired_at).toISOString() : null,
      action_errors: s?.action_errors ?? 0,
      comparison_errors: s?.comparison_errors ?? 0,
      triggered: hasConditions ? (s?.triggered ?? null) : null,
    };
  });
}
