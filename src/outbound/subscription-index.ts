// Which subscriptions an event goes to: by where it happened (a subscription at a zone
// hears every system below it, one at a system hears that system, one at neither hears
// everything) and by type (exact names and `meeting.*` globs).
import type { Config, SubscriptionConfig } from '../config/schema.js';
import type { EngineEvent } from './event.js';

export function typeMatcher(patterns: readonly string[]): (type: string) => boolean {
  if (patterns.includes('*')) return () => true;
  const regexes = patterns.map((pattern) => {
    const parts = pattern.split('.').map((part) => (part === '*' ? '[^.]+' : part.replaceAll(/[^a-z0-9_]/g, '')));
    // A trailing `*` also covers deeper names: `meeting.*` matches `meeting.room.booked`.
    const last = pattern.endsWith('.*') ? `${parts.slice(0, -1).join('\\.')}\\.[^.]+(\\.[^.]+)*` : parts.join('\\.');
    return new RegExp(`^${last}$`);
  });
  return (type) => regexes.some((r) => r.test(type));
}

interface Entry {
  config: SubscriptionConfig;
  accepts: (type: string) => boolean;
}

export class SubscriptionIndex {
  private entries: Entry[];
  /** Each system's zones and all their ancestors. */
  private readonly systemZones = new Map<string, Set<string>>();
  private readonly disabled = new Set<string>();

  constructor(config: Config, disabled: Iterable<string> = []) {
    this.placeSystems(config);
    this.entries = config.subscriptions.map((s) => ({ config: s, accepts: typeMatcher(s.events) }));
    for (const id of disabled) this.disabled.add(id);
  }

  /** Every subscription the config has now. */
  all(): SubscriptionConfig[] {
    return this.entries.map((e) => e.config);
  }

  /** A reload's subscriptions (whether one is disabled is the store's, and stays). */
  replaceSubscriptions(subscriptions: readonly SubscriptionConfig[]): void {
    this.entries = subscriptions.map((s) => ({ config: s, accepts: typeMatcher(s.events) }));
  }

  /** Reads which zones each system is in (a reload may add systems and zones, or move systems). */
  placeSystems(config: Pick<Config, 'zones' | 'systems'>): void {
    const parents = new Map(config.zones.map((z) => [z.id, z.parent]));
    this.systemZones.clear();
    for (const system of config.systems) {
      const zones = new Set<string>();
      for (const zone of system.zones)
        for (let at: string | undefined = zone; at !== undefined && !zones.has(at); at = parents.get(at)) zones.add(at);
      this.systemZones.set(system.id, zones);
    }
  }

  matching(event: Pick<EngineEvent, 'type' | 'source'>): SubscriptionConfig[] {
    const system = event.source.system;
    return this.entries
      .filter(({ config, accepts }) => {
        if (this.disabled.has(config.id) || !accepts(event.type)) return false;
        if (config.system) return config.system === system;
        if (config.zone) return system !== undefined && (this.systemZones.get(system)?.has(config.zone) ?? false);
        return true;
      })
      .map((e) => e.config);
  }

  get(id: string): SubscriptionConfig | undefined {
    return this.entries.find((e) => e.config.id === id)?.config;
  }

  isDisabled(id: string): boolean {
    return this.disabled.has(id);
  }

  setDisabled(id: string, disabled: boolean): void {
    if (disabled) this.disabled.add(id);
    else this.disabled.delete(id);
  }
}
