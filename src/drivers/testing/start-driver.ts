// startDriver: one module of a driver, run by the engine's own ModuleInstance (so a bad call
// is refused with the engine's very words), with its events, state changes and logs kept
// for the test to read, and typed by the driver's own schemas.
import type { z } from 'zod';
import type { DefinedDriver, WebhookRequest, WebhookResponse } from '../api.js';
import { ModuleInstance } from '../module-instance.js';
import { ManualClock } from './manual-clock.js';

type TypesOf<D extends DefinedDriver> = NonNullable<D['~types']>;
type StateOf<D extends DefinedDriver> = z.output<D['state']>;
/** A module's settings as YAML gives them, before the driver's schema fills defaults. */
export type SettingsOf<D extends DefinedDriver> = z.input<D['settings']>;
type MethodName<D extends DefinedDriver> = keyof TypesOf<D>['methods'] & string;
type EventType<D extends DefinedDriver> = keyof TypesOf<D>['events'] & string;

/** An event the module emitted, its data as the declared schema parsed it. */
export type CapturedEvent<D extends DefinedDriver> = {
  [T in EventType<D>]: { type: T; data: z.output<TypesOf<D>['events'][T]['data']> };
}[EventType<D>];

/** One key of the state that changed (a setState to the same value is no change, as in the engine). */
export type StateChangeOf<D extends DefinedDriver> = {
  [K in keyof StateOf<D> & string]: { key: K; old: StateOf<D>[K]; new: StateOf<D>[K] };
}[keyof StateOf<D> & string];

export interface CapturedLog {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields?: Record<string, unknown>;
}

export interface StartOptions<D extends DefinedDriver> {
  /** The module's settings as YAML would give them; the driver's schema fills defaults. */
  settings?: SettingsOf<D>;
  /** Default: a new ManualClock at 2026-01-01T00:00:00Z. */
  clock?: ManualClock;
  /** Default: `sys-test`. */
  systemId?: string;
  /** Default: the driver's module name with `_1`, such as `Display_1`. */
  address?: string;
}

/** A webhook request: POST to `/` unless told; `body` is sent as JSON, `rawBody` as it is (left unparsed). */
export type WebhookCall = {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | string[]>;
} & ({ body?: unknown; rawBody?: never } | { rawBody: string | Buffer; body?: never });

export interface DriverUnderTest<D extends DefinedDriver> {
  readonly address: string;
  readonly systemId: string;
  readonly clock: ManualClock;
  /** The current state, as the engine keeps it. */
  readonly state: Readonly<StateOf<D>>;
  /** Every event emitted since start, in order. */
  readonly events: CapturedEvent<D>[];
  readonly stateChanges: StateChangeOf<D>[];
  readonly logs: CapturedLog[];
  /** Calls a method with arguments its schema accepts, as an action's `call:` does. */
  call<M extends MethodName<D>>(method: M, args: z.input<TypesOf<D>['methods'][M]>): Promise<unknown>;
  /** Calls any name with any arguments, as a YAML config may: for testing what the engine refuses. */
  callRaw(method: string, args: unknown): Promise<unknown>;
  /** Hands a request to a webhook method, as `exec` does; undefined is the engine's own 202. */
  webhook(name: TypesOf<D>['webhooks'], request?: WebhookCall): Promise<WebhookResponse | undefined>;
  /** Its device connection as its link last reported it (undefined: it has none), and why it is offline. */
  readonly connection: { status: 'online' | 'offline' | undefined; error: string | undefined };
  /**
   * Resolves once `holds()` is true: now, or after a change of state, an event or a log line
   * (a device link logs each connection change). For what arrives over a real socket, so a
   * test waits for it without polling or sleeping.
   */
  until(holds: () => boolean): Promise<void>;
  stop(): Promise<void>;
}

/** Starts one module of the driver; rejects, with the driver's reason, when its start throws. */
export async function startDriver<D extends DefinedDriver>(
  driver: D,
  options: StartOptions<D> = {},
): Promise<DriverUnderTest<D>> {
  const clock = options.clock ?? new ManualClock();
  const systemId = options.systemId ?? 'sys-test';
  const address = options.address ?? `${driver.module}_1`;
  const events: CapturedEvent<D>[] = [];
  const stateChanges: StateChangeOf<D>[] = [];
  const logs: CapturedLog[] = [];
  let waiters: { holds(): boolean; resolve(): void }[] = [];
  const recheck = () => {
    const due = waiters.filter((w) => w.holds());
    waiters = waiters.filter((w) => !due.includes(w));
    for (const w of due) w.resolve();
  };
  const logAt = (level: CapturedLog['level']) => (message: string, fields?: Record<string, unknown>) => {
    logs.push(fields === undefined ? { level, message } : { level, message, fields });
    recheck();
  };

  const module = new ModuleInstance(systemId, address, driver, driver.settings.parse(options.settings ?? {}), {
    clock,
    log: { debug: logAt('debug'), info: logAt('info'), warn: logAt('warn'), error: logAt('error') },
    events: {
      emit: async (type, _source, data) => {
        // The module checked the type and parsed the data against the declared schema before this.
        events.push({ type, data } as CapturedEvent<D>);
        recheck();
        return undefined;
      },
    },
    stateChanged: ({ key, old, new: value }) => {
      stateChanges.push({ key, old, new: value } as StateChangeOf<D>);
      recheck();
    },
  });
  await module.start();
  if (module.status !== 'running') throw new Error(`${address} failed to start: ${module.failure}`);

  return {
    address,
    systemId,
    clock,
    get state() {
      return module.currentState as Readonly<StateOf<D>>;
    },
    events,
    stateChanges,
    logs,
    call: (method, args) => module.call(method, args),
    callRaw: (method, args) => module.call(method, args),
    webhook: async (name, request = {}) => {
      if (!module.hasWebhook(name)) throw new Error(`${address} has no webhook "${name}"`);
      return (await module.handleWebhook(name, webhookRequest(request))) ?? undefined;
    },
    get connection() {
      return { status: module.connection, error: module.connectionError };
    },
    until: (holds) => (holds() ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ holds, resolve }))),
    stop: () => module.stop(),
  };
}

/** The request as the engine's exec hands it over: raw bytes always, parsed JSON when sent as JSON. */
function webhookRequest(call: WebhookCall): WebhookRequest {
  const json = call.rawBody === undefined && call.body !== undefined;
  const rawBody = call.rawBody ?? (json ? JSON.stringify(call.body) : '');
  return {
    method: call.method ?? 'POST',
    path: call.path ?? '/',
    query: call.query ?? {},
    headers: { ...(json ? { 'content-type': 'application/json' } : {}), ...call.headers },
    rawBody: typeof rawBody === 'string' ? Buffer.from(rawBody) : rawBody,
    body: json ? call.body : undefined,
  };
}
