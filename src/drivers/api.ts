// The driver API: the one public entry for driver authors. A driver is data (name,
// description, schemas) plus functions that receive a context and validated input.
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { ConnectionReport } from './transport/link-context.js';

export { z };
export { secret } from './secret-setting.js';

/**
 * The version of this API as driver packages declare it (`"switchboard": { "apiVersion": 1 }`):
 * raised only when a driver written for the previous version would no longer work.
 */
export const DRIVER_API_VERSION = 1;
export type { ConnectionReport };
// Device links for drivers that talk to hardware: a TCP connection with framing, a command queue and reconnects.
export { tcp, type TcpLink, type TcpOptions } from './transport/tcp-link.js';
export type { SendOptions, QueueOptions, ReplyVerdict } from './transport/command-queue.js';
export type { Handshake } from './transport/handshake.js';
export { delimiter, fixedLength, lengthPrefixed, type Tokenizer, type LengthPrefixOptions } from './transport/tokenizers.js';
export {
  TransportError,
  CommandTimeout,
  CommandReplaced,
  CommandRejected,
  LinkClosed,
  QueueFull,
} from './transport/transport-errors.js';

export interface DriverLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** The event types a driver declares, each with the schema of its data. */
export type EventDefinitions = Record<string, EventDefinition>;

/** What every driver function receives: its module's settings and state, and the engine's helpers. */
export interface ModuleContext<Settings = unknown, State = unknown, Events extends EventDefinitions = EventDefinitions> {
  /** The module's address in its system, such as `Display_1`. */
  readonly address: string;
  readonly systemId: string;
  readonly settings: Settings;
  /** The current state; change it only through setState so changes are seen. */
  readonly state: Readonly<State>;
  setState(patch: Partial<State>): void;
  readonly log: DriverLogger;
  readonly clock: Clock;
  /**
   * Emits one of the driver's declared `events`; its data is checked against the declared
   * schema at run time too, since a driver written in JavaScript has no compiler to catch it.
   */
  emit<Type extends keyof Events & string>(type: Type, data: z.input<Events[Type]['data']>): Promise<void>;
  /**
   * Tells the engine whether the module's device connection is up (a link from `tcp` calls
   * it); the admin API and `/metrics` show it. Modules without a device never call it.
   */
  setConnection(report: ConnectionReport): void;
}

/** A raw request handed to a webhook-capable method through `exec`. */
export interface WebhookRequest {
  method: string;
  path: string;
  /** The query string without the trigger secret. */
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  /** The body exactly as received, for checking a provider's signature. */
  rawBody: Buffer;
  /** The body parsed as JSON or a form when its content type says so; otherwise undefined. */
  body: unknown;
}

/** What a webhook method answers; answering nothing leaves the engine's own 202. */
export interface WebhookResponse {
  status?: number;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON. */
  body?: unknown;
}

export interface MethodDefinition<Settings, State, Args extends z.ZodType, Events extends EventDefinitions = EventDefinitions> {
  description?: string;
  args: Args;
  run(ctx: ModuleContext<Settings, State, Events>, args: z.output<Args>): unknown;
}

export interface WebhookDefinition<Settings, State, Events extends EventDefinitions = EventDefinitions> {
  description?: string;
  /** How long the engine waits for an answer before 504, in ms (default 10 000). */
  timeoutMs?: number;
  run(
    ctx: ModuleContext<Settings, State, Events>,
    request: WebhookRequest,
  ): WebhookResponse | void | Promise<WebhookResponse | void>;
}

export interface EventDefinition {
  description: string;
  data: z.ZodType;
}

export interface DriverDefinition<
  SettingsSchema extends z.ZodType,
  StateSchema extends z.ZodType,
  Methods extends Record<string, z.ZodType>,
  Events extends EventDefinitions,
  Webhooks extends string,
> {
  /** The driver's id, used as `driver:` in YAML. */
  name: string;
  /** The module name in addresses (`Display` makes `Display_1`). */
  module: string;
  description: string;
  settings: SettingsSchema;
  state: StateSchema;
  initialState(settings: z.output<SettingsSchema>): z.output<StateSchema>;
  methods: { [K in keyof Methods]: MethodDefinition<z.output<SettingsSchema>, z.output<StateSchema>, Methods[K], Events> };
  /** Methods that accept raw webhook requests through `exec`. */
  webhooks?: Record<Webhooks, WebhookDefinition<z.output<SettingsSchema>, z.output<StateSchema>, Events>>;
  /** The event types this driver emits (`meeting.created`), each with the schema of its data. */
  events?: Events;
  start?(ctx: ModuleContext<z.output<SettingsSchema>, z.output<StateSchema>, Events>): void | Promise<void>;
  stop?(ctx: ModuleContext<z.output<SettingsSchema>, z.output<StateSchema>, Events>): void | Promise<void>;
}

/** A driver as the engine sees it, its types erased. */
export interface Driver {
  readonly kind: 'switchboard.driver';
  readonly name: string;
  readonly module: string;
  readonly description: string;
  readonly settings: z.ZodType;
  readonly state: z.ZodType;
  initialState(settings: unknown): Record<string, unknown>;
  readonly methods: Record<string, MethodDefinition<unknown, unknown, z.ZodType>>;
  readonly webhooks: Record<string, WebhookDefinition<unknown, unknown>>;
  readonly events: Record<string, EventDefinition>;
  start?(ctx: ModuleContext): void | Promise<void>;
  stop?(ctx: ModuleContext): void | Promise<void>;
}

/**
 * A driver with the types it was defined with, for tools that check callers at compile time
 * (the test kit): the engine reads it as a `Driver`.
 */
export interface DefinedDriver<
  SettingsSchema extends z.ZodType = z.ZodType,
  StateSchema extends z.ZodType = z.ZodType,
  Methods extends Record<string, z.ZodType> = Record<string, z.ZodType>,
  Events extends EventDefinitions = EventDefinitions,
  Webhooks extends string = string,
> extends Driver {
  readonly settings: SettingsSchema;
  readonly state: StateSchema;
  /** Types only, never set at run time (like zod's own `~` keys): each method's arguments, the events, the webhooks. */
  readonly '~types'?: { methods: Methods; events: Events; webhooks: Webhooks };
}

export function defineDriver<
  SettingsSchema extends z.ZodType,
  StateSchema extends z.ZodType,
  Methods extends Record<string, z.ZodType>,
  // No events or webhooks declared means none: `emit` then accepts no type at all.
  Events extends EventDefinitions = Record<never, EventDefinition>,
  Webhooks extends string = never,
>(
  definition: DriverDefinition<SettingsSchema, StateSchema, Methods, Events, Webhooks>,
): DefinedDriver<SettingsSchema, StateSchema, Methods, Events, Webhooks> {
  return { kind: 'switchboard.driver', webhooks: {}, events: {}, ...definition } as unknown as DefinedDriver<
    SettingsSchema,
    StateSchema,
    Methods,
    Events,
    Webhooks
  >;
}

export function isDriver(value: unknown): value is Driver {
  return typeof value === 'object' && value !== null && (value as Driver).kind === 'switchboard.driver';
}

/** Compares two secrets in constant time (as digests, so their lengths do not leak). */
export function secretsEqual(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
