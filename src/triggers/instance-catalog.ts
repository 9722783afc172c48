// The trigger instances reachable from outside, with their triggers and secrets.
// Secrets are compared as SHA-256 digests with timingSafeEqual: constant time, and
// no length leak.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Config, InstanceConfig, TriggerConfig } from '../config/schema.js';

export interface TriggerInstance {
  readonly id: string;
  readonly config: InstanceConfig;
  readonly trigger: TriggerConfig;
  /** Reachable: enabled, and its trigger takes webhooks. */
  readonly reachable: boolean;
  readonly secretDigest: Buffer;
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export class InstanceCatalog {
  private readonly instances = new Map<string, TriggerInstance>();

  /** `secrets` holds the generated secret of every instance whose config gives none. */
  constructor(config: Config, secrets: ReadonlyMap<string, string>) {
    const triggers = new Map(config.triggers.map((t) => [t.id, t]));
    for (const instance of config.instances) {
      const trigger = triggers.get(instance.trigger)!;
      const secret = instance.secret ?? secrets.get(instance.id);
      if (secret === undefined) throw new Error(`instance ${instance.id} has no secret`);
      this.instances.set(instance.id, {
        id: instance.id,
        config: instance,
        trigger,
        reachable: instance.enabled && trigger.webhook,
        secretDigest: digest(secret),
      });
    }
  }

  get(id: string): TriggerInstance | undefined {
    return this.instances.get(id);
  }

  all(): TriggerInstance[] {
    return [...this.instances.values()];
  }

  secretMatches(instance: TriggerInstance, candidate: string): boolean {
    return timingSafeEqual(instance.secretDigest, digest(candidate));
  }
}
