// The catalogue of event types: the engine's own, those drivers declare, and those the
// config's `emit` actions name. Each has a zod schema for its data.
import { z } from 'zod';
import type { ActionConfig, Config } from '../config/schema.js';
import type { DriverRegistry } from '../drivers/registry.js';

export interface EventType {
  type: string;
  origin: string;
  description: string;
  data: z.ZodType;
}

const ENGINE_TYPES: EventType[] = [
  {
    type: 'trigger.fired',
    origin: 'engine',
    description: 'A trigger instance fired: its run was committed and its actions are starting.',
    data: z.object({
      instance: z.string(),
      trigger: z.string(),
      system: z.string(),
      run: z.string(),
      /** test and replay: an operator's test fire or replay from the admin API. */
      cause: z.enum(['webhook', 'schedule', 'conditions', 'catch_up', 'test', 'replay']),
      /** The request that fired it; null for a schedule, conditions, a test fire or a replay. */
      request: z
        .object({ method: z.string(), path: z.string(), content_type: z.string().nullable(), body_size: z.number() })
        .nullable(),
    }),
  },
  {
    type: 'module.state_changed',
    origin: 'engine',
    description: 'A key of a module state changed.',
    data: z.object({ system: z.string(), module: z.string(), key: z.string(), old: z.unknown(), new: z.unknown() }),
  },
  {
    type: 'subscription.disabled',
    origin: 'engine',
    description: 'A subscription was disabled: its endpoint answered 410, or too many deliveries in a row were exhausted.',
    data: z.object({ subscription: z.string(), url: z.string(), reason: z.string() }),
  },
];

export class EventCatalog {
  private readonly types = new Map<string, EventType>();

  constructor(registry: DriverRegistry, config: Config) {
    for (const type of ENGINE_TYPES) this.types.set(type.type, type);
    for (const driver of registry.drivers.values()) {
      for (const [type, definition] of Object.entries(driver.events)) {
        if (!this.types.has(type))
          this.types.set(type, {
            type,
            origin: `driver ${driver.name}`,
            description: definition.description,
            data: definition.data,
          });
      }
    }
    this.learn(config);
  }

  /**
   * Adds the types the config's `emit` actions name. A reload adds those of its config;
   * none is taken away, so a run of the old generation can still emit what it emits.
   */
  learn(config: Config): void {
    const actions: ActionConfig[] = [
      ...config.triggers.flatMap((t) => t.actions),
      ...config.subscriptions.flatMap((s) => [...s.on_failure, ...s.on_exhausted]),
    ];
    for (const action of actions) {
      if (action.kind === 'emit' && !this.types.has(action.emit)) {
        this.types.set(action.emit, {
          type: action.emit,
          origin: 'config',
          description: 'Emitted by an `emit` action in the config.',
          data: z.record(z.string(), z.unknown()),
        });
      }
    }
  }

  get(type: string): EventType | undefined {
    return this.types.get(type);
  }

  all(): EventType[] {
    return [...this.types.values()].sort((a, b) => a.type.localeCompare(b.type));
  }
}
