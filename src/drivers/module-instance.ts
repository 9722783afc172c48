// One running module: a driver with its settings and state inside a system. Where several
// nodes share the work, a module runs on one of them; on the others it is `elsewhere`:
// its calls and webhooks are forwarded to the node that runs it, and its state is the
// one that node last stored.
import type { Clock } from '../clock.js';
import type { EventSink } from '../event-sink.js';
import type { ConnectionReport, Driver, DriverLogger, ModuleContext, WebhookRequest, WebhookResponse } from './api.js';

export type ModuleStatus = 'stopped' | 'running' | 'failed' | 'elsewhere';
/** A module's device connection as its driver last reported it; undefined for modules without one. */
export type ConnectionStatus = 'online' | 'offline';

/** Reaches a module that runs on another node. */
export interface RemoteModules {
  call(module: ModuleInstance, method: string, args: unknown): Promise<unknown>;
  webhook(module: ModuleInstance, method: string, request: WebhookRequest): Promise<WebhookResponse | void>;
}

export interface StateChange {
  systemId: string;
  address: string;
  key: string;
  old: unknown;
  new: unknown;
}

export interface ModuleServices {
  clock: Clock;
  log: DriverLogger;
  /** Where the events a module emits go (the outbox), from the module as their source. */
  events: EventSink;
  /** A key of the module's state changed (the host tells whoever listens). */
  stateChanged(change: StateChange): void;
}

/** A method call that the caller got wrong (unknown method, bad arguments): not the module's fault. */
export class ModuleCallInvalid extends Error {}

export class ModuleInstance {
  status: ModuleStatus = 'stopped';
  failure: string | undefined;
  connection: ConnectionStatus | undefined;
  /** Why the connection is offline, as the driver's link last said. */
  connectionError: string | undefined;
  /** The commands its link holds (waiting or in flight), when it has one. */
  private queued: (() => number) | undefined;
  /** How calls reach it while it runs elsewhere. */
  private remote: RemoteModules | undefined;
  private state: Record<string, unknown>;
  readonly context: ModuleContext;

  constructor(
    readonly systemId: string,
    readonly address: string,
    readonly driver: Driver,
    readonly settings: unknown,
    services: ModuleServices,
  ) {
    this.state = driver.initialState(settings);
    const readState = () => this.state;
    const writeState = (next: Record<string, unknown>) => (this.state = next);
    const writeConnection = ({ online, error, queued }: ConnectionReport) => {
      this.connection = online ? 'online' : 'offline';
      this.connectionError = online ? undefined : error;
      this.queued = queued;
    };
    this.context = {
      address,
      systemId,
      settings,
      get state() {
        return readState();
      },
      setState(patch) {
        const before = readState();
        writeState({ ...before, ...(patch as Record<string, unknown>) });
        for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
          if (!Object.is(before[key], value)) services.stateChanged({ systemId, address, key, old: before[key], new: value });
        }
      },
      log: services.log,
      clock: services.clock,
      setConnection: writeConnection,
      emit: async (type, data) => {
        if (!Object.hasOwn(driver.events, type))
          throw new Error(`${address} emitted "${type}", which driver ${driver.name} does not declare in its events`);
        const parsed = driver.events[type]!.data.safeParse(data);
        if (!parsed.success)
          throw new Error(
            `${address} emitted "${type}" with bad data: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ')}`,
          );
        await services.events.emit(
          type,
          { system: systemId, module: address, driver: driver.name },
          parsed.data as Record<string, unknown>,
        );
      },
    };
  }

  /** How many commands its device link holds now; undefined for a module without one. */
  get queueDepth(): number | undefined {
    return this.queued?.();
  }

  get currentState(): Readonly<Record<string, unknown>> {
    return this.state;
  }

  /**
   * Takes back the state kept from before a restart, over the driver's initial state, before
   * the module starts (no state change is told: nothing changed). Refused, leaving the
   * initial state, when the result is not a state the driver declares.
   */
  restore(kept: Readonly<Record<string, unknown>>): { ok: true } | { ok: false; reason: string } {
    const merged = { ...this.state, ...kept };
    const parsed = this.driver.state.safeParse(merged);
    if (!parsed.success)
      return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(state)'}: ${i.message}`).join('; ') };
    this.state = merged;
    return { ok: true };
  }

  /** It runs on another node from now on (stopped here first, if it ran here): calls go through `remote`. */
  async runsElsewhere(remote: RemoteModules): Promise<void> {
    await this.stop();
    this.remote = remote;
    this.status = 'elsewhere';
    this.failure = undefined;
  }

  async start(): Promise<void> {
    try {
      await this.driver.start?.(this.context);
      this.status = 'running';
      this.failure = undefined;
    } catch (error) {
      this.status = 'failed';
      this.failure = (error as Error).message;
      this.context.log.error('module failed to start', { module: this.address, driver: this.driver.name, reason: this.failure });
    }
  }

  async stop(): Promise<void> {
    if (this.status !== 'running') return;
    this.status = 'stopped';
    try {
      await this.driver.stop?.(this.context);
    } catch (error) {
      this.context.log.warn('module failed to stop cleanly', { module: this.address, reason: (error as Error).message });
    }
  }

  /** Validates the arguments with the method's schema, then runs it. */
  async call(method: string, args: unknown): Promise<unknown> {
    const definition = Object.hasOwn(this.driver.methods, method) ? this.driver.methods[method] : undefined;
    if (!definition)
      throw new ModuleCallInvalid(
        `${this.address} has no method "${method}"; it has: ${Object.keys(this.driver.methods).join(', ')}`,
      );
    if (this.status === 'elsewhere') return this.remote!.call(this, method, args);
    this.assertRunning();
    const parsed = definition.args.safeParse(args);
    if (!parsed.success) {
      const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(args)'}: ${i.message}`).join('; ');
      throw new ModuleCallInvalid(`${this.address}.${method} got bad arguments: ${detail}`);
    }
    return definition.run(this.context, parsed.data);
  }

  hasWebhook(method: string): boolean {
    return Object.hasOwn(this.driver.webhooks, method);
  }

  webhookTimeoutMs(method: string): number | undefined {
    return this.driver.webhooks[method]?.timeoutMs;
  }

  async handleWebhook(method: string, request: WebhookRequest): Promise<WebhookResponse | void> {
    if (this.status === 'elsewhere') return this.remote!.webhook(this, method, request);
    this.assertRunning();
    return this.driver.webhooks[method]!.run(this.context, request);
  }

  private assertRunning(): void {
    if (this.status !== 'running')
      throw new Error(`${this.address} is ${this.status}${this.failure ? ` (${this.failure})` : ''}`);
  }
}
