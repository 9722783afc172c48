// The driver API: the one public entry for driver authors. A driver is data (name,
// description, schemas) plus functions that receive a context and validated input.
import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { ConnectionReport } from './transport/link-context.js';

export { z };
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

/** What every driver function receives: its module's settings and state, and the engine's helpers. */
export interface ModuleContext<Settings = unknown, State = unknown> {
  /** The module's address in its system, such as `Display_1`. */
  readonly address: string;
  readonly systemId: string;
  readonly settings: Settings;
  /** The current state; change it only through setState so changes are seen. */
  readonly state: Readonly<State>;
  setState(patch: Partial<State>): void;
  readonly log: DriverLogger;
  readonly clock: Clock;
  /** Emits one of the driver's declared `events`; its data is checked against the declared schema. */
  emit(type: string, data: Record<string, unknown>): Promise<void>;
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

export interface MethodDefinition<Settings, State, Args extends z.ZodType> {
  description?: string;
  args: Args;
  run(ctx: ModuleContext<Settings, State>, args: z.output<Args>): unknown;
}

export interface WebhookDefinition<Settings, State> {
  description?: string;
  /** How long the engine waits for an answer before 504, in ms (default 10 000). */
  timeoutMs?: number;
  run(ctx: ModuleContext<Settings, State>, request: WebhookRequest): WebhookResponse | void | Promise<WebhookResponse | void>;
}

export interface EventDefinition {
  description: string;
  data: z.ZodType;
}

export interface DriverDefinition<
  SettingsSchema extends z.ZodType,
  StateSchema extends z.ZodType,
  Methods extends Record<string, z.ZodType>,
> {
  /** The driver's id, used as `driver:` in YAML. */
  name: string;
  /** The module name in addresses (`Display` makes `Display_1`). */
  module: string;
  description: string;
  settings: SettingsSchema;
  state: StateSchema;
  initialState(settings: z.output<SettingsSchema>): z.output<StateSchema>;
  methods: { [K in keyof Methods]: MethodDefinition<z.output<SettingsSchema>, z.output<StateSchema>, Methods[K]> };
  /** Methods that accept raw webhook requests through `exec`. */
  webhooks?: Record<string, WebhookDefinition<z.output<SettingsSchema>, z.output<StateSchema>>>;
  /** The event types this driver emits (`meeting.created`), each with the schema of its data. */
  events?: Record<string, EventDefinition>;
  start?(ctx: ModuleContext<z.output<SettingsSchema>, z.output<StateSchema>>): void | Promise<void>;
  stop?(ctx: ModuleContext<z.output<SettingsSchema>, z.output<StateSchema>>): void | Promise<void>;
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

export function defineDriver<
  SettingsSchema extends z.ZodType,
  StateSchema extends z.ZodType,
  Methods extends Record<string, z.ZodType>,
>(definition: DriverDefinition<SettingsSchema, StateSchema, Methods>): Driver {
  return { kind: 'switchboard.driver', webhooks: {}, events: {}, ...definition } as unknown as Driver;
}

export function isDriver(value: unknown): value is Driver {
  return typeof value === 'object' && value !== null && (value as Driver).kind === 'switchboard.driver';
}

/** Compares two secrets in constant time (as digests, so their lengths do not leak). */
export function secretsEqual(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
