// The engine's Prometheus metrics (prom-client, on a registry of its own): counters and
// histograms the parts feed as things happen (Telemetry), gauges read when scraped (the
// outbox, modules, the database's size), and Node's own process metrics, event-loop delay
// among them. Every label is an id the config bounds, or one of a fixed set of outcomes.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReloadResult } from '../reload/live-config.js';
import type { DeliveryResult, Telemetry } from '../telemetry.js';

/** What the scrape-time gauges read. */
export interface MetricSources {
  /** Pending deliveries per subscription, and when the oldest was created (ms). */
  pendingDeliveries(): Promise<{ subscriptionId: string; pending: number; oldestCreatedAt: number }[]>;
  /** How many bytes the database takes (SQLite: its file and WAL; PostgreSQL: the database). */
  databaseBytes(): Promise<number>;
  now(): number;
}

/** A module as the module gauges read it; `connection` only for modules with a device link. */
export interface ModuleReading {
  system: string;
  module: string;
  status: string;
  connection?: 'online' | 'offline' | undefined;
}

const MODULE_STATUSES = ['stopped', 'running', 'failed', 'elsewhere'] as const;
const RELOAD_RESULTS: readonly ReloadResult[] = ['applied', 'unchanged', 'refused', 'failed'];
// Fires answer in a few ms; runs (module calls, mail) can take seconds.
const FIRE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const RUN_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300];
const LAG_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60];

export class EngineMetrics implements Telemetry {
  readonly registry = new Registry();
  private readonly requests: Counter<'instance' | 'outcome'>;
  private readonly fireLatency: Histogram<'instance'>;
  private readonly runs: Counter<'trigger' | 'status'>;
  private readonly runDuration: Histogram<'trigger'>;
  private readonly actionErrors: Counter<'trigger'>;
  private readonly scheduleFires: Counter<'instance' | 'cause'>;
  private readonly scheduleLag: Histogram;
  private readonly attempts: Counter<'subscription' | 'result'>;
  private readonly exhausted: Counter<'subscription'>;
  private readonly reloads: Counter<'result'>;
  private readonly generation: Gauge;

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'switchboard_inbound_requests_total',
      help: 'Requests to trigger URLs, by instance and outcome (fired, debounced, exec, not_found, …).',
      labelNames: ['instance', 'outcome'],
      registers,
    });
    this.fireLatency = new Histogram({
      name: 'switchboard_fire_latency_seconds',
      help: 'Time from a request arriving to its fire being committed and answered.',
      labelNames: ['instance'],
      buckets: FIRE_BUCKETS,
      registers,
    });
    this.runs = new Counter({
      name: 'switchboard_runs_total',
      help: 'Runs that ended, by trigger and status.',
      labelNames: ['trigger', 'status'],
      registers,
    });
    this.runDuration = new Histogram({
      name: 'switchboard_run_duration_seconds',
      help: 'Time from a run being accepted to its end.',
      labelNames: ['trigger'],
      buckets: RUN_BUCKETS,
      registers,
    });
    this.actionErrors = new Counter({
      name: 'switchboard_action_errors_total',
      help: 'Actions of runs that failed, by trigger.',
      labelNames: ['trigger'],
      registers,
    });
    this.scheduleFires = new Counter({
      name: 'switchboard_schedule_fires_total',
      help: 'Schedule and at times that came due, by instance and cause (schedule, catch_up).',
      labelNames: ['instance', 'cause'],
      registers,
    });
    this.scheduleLag = new Histogram({
      name: 'switchboard_schedule_lag_seconds',
      help: 'How late a due schedule or at time was handled.',
      buckets: LAG_BUCKETS,
      registers,
    });
    this.attempts = new Counter({
      name: 'switchboard_delivery_attempts_total',
      help: 'Deliveries carried by attempts, by subscription and result (delivered, retrying, exhausted, gone, skipped).',
      labelNames: ['subscription', 'result'],
      registers,
    });
    this.exhausted = new Counter({
      name: 'switchboard_deliveries_exhausted_total',
      help: 'Deliveries that failed for good (retries exhausted, or 410 Gone), by subscription.',
      labelNames: ['subscription'],
      registers,
    });
    this.reloads = new Counter({
      name: 'switchboard_config_reloads_total',
      help: 'Config reloads, by result (applied, unchanged, refused, failed).',
      labelNames: ['result'],
      registers,
    });
    for (const result of RELOAD_RESULTS) this.reloads.inc({ result }, 0);
    this.generation = new Gauge({
      name: 'switchboard_config_generation',
      help: 'The config generation serving: 1 at start, one more for each reload applied.',
      registers,
    });
    this.generation.set(1);
    // Both outbox gauges are collected at once (prom-client collects every metric
    // concurrently): they share one read of the store per scrape.
    let reading: Promise<{ rows: Awaited<ReturnType<MetricSources['pendingDeliveries']>>; at: number }> | undefined;
    const pendingNow = () => {
      if (!reading) {
        reading = sources.pendingDeliveries().then((rows) => ({ rows, at: sources.now() }));
        setImmediate(() => (reading = undefined));
      }
      return reading;
    };
    new Gauge({
      name: 'switchboard_outbox_pending',
      help: 'Deliveries waiting to be sent, by subscription.',
      labelNames: ['subscription'],
      registers,
      async collect() {
        const { rows } = await pendingNow();
        this.reset();
        for (const s of rows) this.set({ subscription: s.subscriptionId }, s.pending);
      },
    });
    new Gauge({
      name: 'switchboard_outbox_oldest_pending_age_seconds',
      help: 'Age of the oldest delivery waiting to be sent, by subscription.',
      labelNames: ['subscription'],
      registers,
      async collect() {
        const { rows, at } = await pendingNow();
        this.reset();
        for (const s of rows) this.set({ subscription: s.subscriptionId }, Math.max(0, at - s.oldestCreatedAt) / 1000);
      },
    });
    new Gauge({
      name: 'switchboard_database_bytes',
      help: 'Size of the database on disk: the SQLite file and its WAL, or the PostgreSQL database.',
      registers,
      async collect() {
        this.set(await sources.databaseBytes());
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /**
   * Adds each module's status, and for modules with a device link whether it is connected,
   * read when scraped (the modules exist after the outbound side this feeds).
   */
  watchModules(modules: () => readonly ModuleReading[]): void {
    new Gauge({
      name: 'switchboard_module_status',
      help: 'Each module by status: 1 for its current one (stopped, running, failed, or elsewhere: on another node), 0 for the others.',
      labelNames: ['system', 'module', 'status'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const m of modules())
          for (const status of MODULE_STATUSES)
            this.set({ system: m.system, module: m.module, status }, m.status === status ? 1 : 0);
      },
    });
    new Gauge({
      name: 'switchboard_module_connected',
      help: 'Each module with a device link: 1 while its device is connected, 0 while it is offline (the log says why).',
      labelNames: ['system', 'module'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const m of modules())
          if (m.connection) this.set({ system: m.system, module: m.module }, m.connection === 'online' ? 1 : 0);
      },
    });
  }

  requestHandled(instance: string, outcome: string, seconds: number): void {
    this.requests.inc({ instance, outcome });
    if (outcome === 'fired') this.fireLatency.observe({ instance }, seconds);
  }

  runFinished(trigger: string, status: 'succeeded' | 'failed', seconds: number): void {
    this.runs.inc({ trigger, status });
    this.runDuration.observe({ trigger }, seconds);
  }

  actionFailed(trigger: string): void {
    this.actionErrors.inc({ trigger });
  }

  scheduleFired(instance: string, cause: 'schedule' | 'catch_up', lagSeconds: number): void {
    this.scheduleFires.inc({ instance, cause });
    if (cause === 'schedule') this.scheduleLag.observe(lagSeconds);
  }

  deliveryAttempted(subscription: string, result: DeliveryResult, deliveries: number): void {
    this.attempts.inc({ subscription, result }, deliveries);
    if (result === 'exhausted' || result === 'gone') this.exhausted.inc({ subscription }, deliveries);
  }

  configReloaded(result: ReloadResult, generation: number): void {
    this.reloads.inc({ result });
    this.generation.set(generation);
  }

  /** The text a Prometheus server scrapes. */
  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
