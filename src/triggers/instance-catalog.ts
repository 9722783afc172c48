// The trigger instances reachable from outside, with their triggers and secrets.
// Secrets are compared as SHA-256 digests with timingSafeEqual: constant time, and no
// length leak; an unknown instance is compared against a dummy digest, so it costs the
// same as a wrong secret. After a rotation the previous secret passes too until its grace
// ends: both digests are always compared, so a request takes the same work either way.
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { addressListMatcher } from '../address-list.js';
import type { Config, InstanceConfig, TriggerConfig } from '../config/schema.js';
import { inputReads, type InputPart } from './input-reads.js';

export interface TriggerInstance {
  readonly id: string;
  readonly config: InstanceConfig;
  readonly trigger: TriggerConfig;
  /** Reachable: enabled, and its trigger takes webhooks. */
  readonly reachable: boolean;
  readonly secretDigest: Buffer;
  /** The secret before a rotation (a dummy when there is none), and until when it passes (ms; 0: never). */
  readonly previousDigest: Buffer;
  readonly previousUntil: number;
  /** Whether a caller at this address may call it (its trigger's `allow_from`; everyone when absent). */
  allows(ip: string): boolean;
  /** The parts of a request its trigger's actions read: what its runs store of their input. */
  readonly inputReads: ReadonlySet<InputPart>;
  /** Whether its trigger has compare conditions (whose values a run's trace keeps). */
  readonly hasCompares: boolean;
}

// One-shot hashing: no Hash object per request.
const digest = (value: string) => hash('sha256', value, 'buffer');
const everyone = () => true;

export class InstanceCatalog {
  private readonly instances = new Map<string, TriggerInstance>();
  /** What a candidate secret for an unknown instance is compared with: random, so nothing matches it. */
  private readonly dummyDigest = digest(randomBytes(24).toString('base64url'));

  /**
   * `secrets` holds the generated secret of every instance whose config gives none;
   * `previous` the secret a rotation replaced, with the end of its grace; `now` the clock
   * the grace is read on.
   */
  constructor(
    config: Config,
    secrets: ReadonlyMap<string, string>,
    previous: ReadonlyMap<string, { secret: string; until: number }> = new Map(),
    private readonly now: () => number = Date.now,
  ) {
    const triggers = new Map(config.triggers.map((t) => [t.id, t]));
    const matchers = new Map(config.triggers.map((t) => [t.id, t.allow_from ? addressListMatcher(t.allow_from) : everyone]));
    const reads = new Map(config.triggers.map((t) => [t.id, inputReads(t.actions)]));
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
        previousDigest: previous.has(instance.id) ? digest(previous.get(instance.id)!.secret) : this.dummyDigest,
        previousUntil: previous.get(instance.id)?.until ?? 0,
        allows: matchers.get(trigger.id)!,
        inputReads: reads.get(trigger.id)!,
        hasCompares: trigger.conditions.some((c) => c.kind === 'compare'),
      });
    }
  }

  get(id: string): TriggerInstance | undefined {
    return this.instances.get(id);
  }

  all(): TriggerInstance[] {
    return [...this.instances.values()];
  }

  /**
   * Compares in constant time; for an unknown instance (undefined) against a dummy digest, so
   * the work is the same. Both the secret and the previous one (or a dummy) are compared.
   */
  secretMatches(instance: TriggerInstance | undefined, candidate: string): boolean {
    const given = digest(candidate);
    const current = timingSafeEqual(instance?.secretDigest ?? this.dummyDigest, given);
    const previous = timingSafeEqual(instance?.previousDigest ?? this.dummyDigest, given);
    return instance !== undefined && (current || (previous && this.now() < instance.previousUntil));
  }
}
