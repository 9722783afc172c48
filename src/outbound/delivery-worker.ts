// Sends due deliveries with bounded concurrency: signs each attempt, applies the
// subscription's policy (success statuses, retry schedule, Retry-After, 410, batching,
// fire-and-forget), records every attempt, and runs on_failure / on_exhausted.
// Deliveries stay pending in the store until an attempt's outcome is committed, so a
// process killed mid-attempt sends them again after restart, with the same event id.
// On PostgreSQL several nodes share the outbox: each takes due deliveries under a lease
// (OutboxRepo.claim) that runs out a few seconds past the attempt's deadline, so a dead
// node's deliveries go to another; an outcome commits only while the delivery is still at
// the attempt count it began with (a fence), so a late node cannot record over a newer one.
import type { Clock } from '../clock.js';
import type { ActionConfig, SubscriptionConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import type { Telemetry } from '../telemetry.js';
import { LIVE_WITHIN_MS } from '../store/node-liveness.js';
import type { DueDelivery, OutboxRepo } from '../store/outbox-repo.js';
import type { AttemptRow, DeliveryUpdate, StoreWrite, UnitOfWork } from '../store/writes.js';
import type { ClientTls } from './client-tls.js';
import { envelopeOf } from './event.js';
import type { HttpSender, SendResult } from './http-sender.js';
import { signatureHeaders } from './signer.js';
import type { SubscriptionIndex } from './subscription-index.js';

/** Fire-and-forget gets one attempt with a short deadline. */
export const FIRE_AND_FORGET_TIMEOUT_MS = 2_000;
/** The store is looked at least this often, so deliveries queued by another process (the CLI's redeliver) are seen. */
export const POLL_INTERVAL_MS = 1_000;
/** A poll of the store taking longer than this means the worker is stuck. */
const STUCK_POLL_MS = 30_000;
/** A delivery's lease outlasts its attempt's deadline by this much: time to record the outcome. */
export const LEASE_MARGIN_MS = 10_000;

export interface HookContext {
  subscription: SubscriptionConfig;
  /** What templates in the hook's actions read as `body`. */
  body: Record<string, unknown>;
}

export interface DeliveryWorkerDeps {
  /** Reads: what is due, pending batches, counts. */
  repo: OutboxRepo;
  store: UnitOfWork;
  index: SubscriptionIndex;
  sender: HttpSender;
  clock: Clock;
  log: Logger;
  telemetry: Telemetry;
  /** Every subscription's signing secrets (all sign during a rotation). */
  secrets: ReadonlyMap<string, readonly string[]>;
  /** The client certificates of subscriptions that have one (read at start). */
  clientTls: ReadonlyMap<string, ClientTls>;
  concurrency: number;
  responseLimit: number;
  /** Runs a subscription's on_failure / on_exhausted actions. */
  runHook(actions: readonly ActionConfig[], ctx: HookContext): Promise<void>;
  /** Disables a subscription and emits `subscription.disabled`. */
  disable(subscription: SubscriptionConfig, reason: string): Promise<void>;
  /** Each subscription's count of exhausted deliveries in a row, as stored. */
  exhaustedInARow: ReadonlyMap<string, number>;
  /** Re-reads which subscriptions are disabled (another process, the CLI, may have changed it). */
  refreshDisabled(): Promise<void>;
  /** Deliveries are leased to this node (PostgreSQL, where nodes share the outbox); else it is the only worker. */
  leaseOwner?: string;
}

export class DeliveryWorker {
  private readonly inFlight = new Set<string>();
  private readonly attempts = new Set<Promise<void>>();
  private cancelTimer: (() => void) | undefined;
  private timerAt = Infinity;
  private polling: Promise<void> | undefined;
  private pollAgain = false;
  private running = false;
  /** Real time the poll in progress started, for the liveness check. */
  private pollStartedAt: number | undefined;
  private refreshedAt = -Infinity;

  private readonly exhaustedInARow: Map<string, number>;

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.exhaustedInARow = new Map(deps.exhaustedInARow);
  }

  /** Alive: started, and no poll of the store has been stuck for long (/readyz). */
  liveness(): { ok: boolean; detail: string } {
    if (!this.running) return { ok: false, detail: 'not running' };
    const stuckFor = this.polling && this.pollStartedAt !== undefined ? Date.now() - this.pollStartedAt : 0;
    if (stuckFor > STUCK_POLL_MS)
      return { ok: false, detail: `a poll of the store has not finished for ${Math.round(stuckFor / 1000)} s` };
    return { ok: true, detail: `ok (${this.inFlight.size} in flight)` };
  }

  start(): void {
    this.running = true;
    this.wake();
  }

  /** Stops taking deliveries and waits for attempts in flight (those cut off are retried at the next start). */
  async stop(timeoutMs: number): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    const deadline = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([Promise.allSettled(this.attempts), deadline]);
    await this.polling;
  }

  /** Polls soon: deliveries were queued or an attempt finished. */
  wake(): void {
    if (!this.running) return;
    setImmediate(() => void this.poll());
  }

  /** Deliveries were queued for these subscriptions; a full batch is sent at once. */
  queued(subscriptions: readonly SubscriptionConfig[]): void {
    for (const subscription of subscriptions) {
      if (subscription.batch)
        void this.flushFullBatch(subscription).catch((error: Error) =>
          this.deps.log.error({ reason: error.message }, 'batch check failed'),
        );
    }
    this.wake();
  }

  /** Resolves when nothing is in flight and nothing is due now (for tests and the bench). */
  async idle(): Promise<void> {
    for (;;) {
      await this.polling;
      await Promise.allSettled(this.attempts);
      await new Promise((resolve) => setImmediate(resolve));
      if (this.attempts.size === 0 && !this.polling) {
        const due = await this.deps.repo.due(this.deps.clock.now(), 1);
        if (due.length === 0 || !this.running) return;
        await this.poll();
      }
    }
  }

  private async flushFullBatch(subscription: SubscriptionConfig): Promise<void> {
    const { batch } = subscription;
    if (!batch) return;
    const pending = await this.deps.repo.pendingFor(subscription.id, Number.MAX_SAFE_INTEGER, batch.max_events);
    const fresh = pending.filter((d) => d.attempts === 0 && !this.inFlight.has(d.id));
    if (fresh.length >= batch.max_events) {
      await this.deps.store.commit([{ kind: 'deliveries_due', ids: fresh.map((d) => d.id), at: this.deps.clock.now() }]);
      this.wake();
    }
  }

  private poll(): Promise<void> {
    if (this.polling) {
      this.pollAgain = true;
      return this.polling;
    }
    this.pollStartedAt = Date.now();
    this.polling = this.pollOnce()
      .catch((error: Error) => this.deps.log.error({ reason: error.message }, 'delivery poll failed'))
      .finally(() => {
        this.polling = undefined;
        if (this.pollAgain) {
          this.pollAgain = false;
          this.wake();
        }
      });
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    if (!this.running) return;
    const { repo, clock, concurrency } = this.deps;
    const now = clock.now();
    if (now - this.refreshedAt >= POLL_INTERVAL_MS) {
      this.refreshedAt = now;
      await this.deps.refreshDisabled();
    }
    const free = concurrency - this.inFlight.size;
    if (free > 0 && this.deps.leaseOwner) await this.claimAndSend(now, free);
    else if (free > 0) {
      const due = (await repo.due(now, free + this.inFlight.size)).filter((d) => !this.inFlight.has(d.id));
      const claimed = new Set<string>();
      for (const delivery of due) {
        if (claimed.has(delivery.id) || this.inFlight.size >= concurrency) continue;
        const subscription = this.deps.index.get(delivery.subscription_id);
        let group = [delivery];
        if (subscription?.batch) {
          // A batch: every pending delivery of this subscription to the same url that is due.
          const siblings = await repo.pendingFor(subscription.id, now, subscription.batch.max_events);
          group = siblings.filter((d) => d.url === delivery.url && !this.inFlight.has(d.id) && !claimed.has(d.id));
          if (group.length === 0) continue;
        }
        for (const d of group) {
          claimed.add(d.id);
          this.inFlight.add(d.id);
        }
        this.track(this.attempt(group, subscription));
      }
    }
    // While attempts are in flight their ends poll again; the store is asked only when idle.
    this.scheduleNext(this.inFlight.size > 0 ? undefined : await repo.nextDueAt());
  }

  /** Sends every delivery it could lease (each with the rest of its batch, leased likewise): a leased one is never left unsent. */
  private async claimAndSend(now: number, free: number): Promise<void> {
    const owner = this.deps.leaseOwner!;
    const leaseMs = this.leaseMs();
    const takenOver = (taken: { deliveryId: string; from: string }[]) =>
      this.deps.log.info(
        { deliveries: taken.length, from: [...new Set(taken.map((t) => t.from))] },
        'took over deliveries from a node that stopped, fell silent or let its lease run out',
      );
    // Leases of a node that stopped or fell silent pass on at once, not only when they run out.
    const silentBefore = Date.now() - LIVE_WITHIN_MS;
    for (const delivery of await this.deps.repo.claim(owner, now, free, leaseMs, { takenOver, silentBefore })) {
      const subscription = this.deps.index.get(delivery.subscription_id);
      let group = [delivery];
      if (subscription?.batch && subscription.batch.max_events > 1) {
        const only = { subscriptionId: subscription.id, url: delivery.url };
        const rest = await this.deps.repo.claim(owner, now, subscription.batch.max_events - 1, leaseMs, {
          only,
          takenOver,
          silentBefore,
        });
        group = [delivery, ...rest];
      }
      for (const d of group) this.inFlight.add(d.id);
      this.track(this.attempt(group, subscription));
    }
  }

  /** The longest an attempt may take, plus the margin to record it. */
  private leaseMs(): number {
    const longest = Math.max(FIRE_AND_FORGET_TIMEOUT_MS, ...this.deps.index.all().map((s) => s.timeout));
    return longest + LEASE_MARGIN_MS;
  }

  /** The outcome's writes, committed only while no other node has recorded a newer attempt; false when one has. */
  private async record(group: readonly DueDelivery[], writes: readonly StoreWrite[]): Promise<boolean> {
    const fence = { kind: 'attempt_fence', deliveries: group.map((d) => ({ id: d.id, attempts: d.attempts })) } as const;
    const recorded =
      (await this.deps.store.commit([{ kind: 'guard', guards: [fence], otherwise: () => [] }, ...writes])) === undefined;
    if (!recorded)
      this.deps.log.info(
        { deliveries: group.map((d) => d.id), attempt: group[0]!.attempts + 1 },
        'attempt outcome not recorded: another node recorded a newer attempt meanwhile',
      );
    return recorded;
  }

  private track(attempt: Promise<void>): void {
    const tracked = attempt
      .catch((error: Error) => this.deps.log.error({ reason: error.message }, 'delivery attempt failed to record'))
      .finally(() => {
        this.attempts.delete(tracked);
        this.wake();
      });
    this.attempts.add(tracked);
  }

  private scheduleNext(nextDue: number | undefined): void {
    if (!this.running) return;
    // Read the clock again: time may have moved while the store was asked.
    const now = this.deps.clock.now();
    // Past-due deliveries still in flight are picked up when their attempt ends.
    const at = nextDue === undefined || nextDue <= now ? now + POLL_INTERVAL_MS : Math.min(nextDue, now + POLL_INTERVAL_MS);
    if (at >= this.timerAt) return;
    const nextDueAt = at;
    this.cancelTimer?.();
    this.timerAt = nextDueAt;
    this.cancelTimer = this.deps.clock.setTimeout(
      () => {
        this.timerAt = Infinity;
        this.cancelTimer = undefined;
        // Poll on the next turn, not inside the timer: the clock is read once the turn's time is settled.
        this.wake();
      },
      Math.max(0, nextDueAt - now),
    );
  }

  private async attempt(group: DueDelivery[], subscription: SubscriptionConfig | undefined): Promise<void> {
    const { clock } = this.deps;
    try {
      const started = clock.now();
      if (!subscription || this.deps.index.isDisabled(subscription.id)) {
        const reason = subscription ? 'the subscription is disabled' : 'the subscription is no longer in the config';
        const skipped = group.map((d): StoreWrite => ({
          kind: 'attempt',
          row: this.attemptRow(d, started, { response: '', latencyMs: 0, error: reason }),
          delivery: this.failed(d, d.attempts, clock.now(), null, reason),
        }));
        if (!(await this.record(group, skipped))) return;
        // Labelled only when the config still names the subscription.
        if (subscription) this.deps.telemetry.deliveryAttempted(subscription.id, 'skipped', group.length);
        return;
      }
      const result = await this.send(group, subscription, started);
      await this.settle(group, subscription, started, result);
    } finally {
      for (const d of group) this.inFlight.delete(d.id);
    }
  }

  private async send(group: DueDelivery[], subscription: SubscriptionConfig, started: number): Promise<SendResult> {
    const envelopes = group.map((d) =>
      envelopeOf(
        { id: d.event_id, type: d.type, created: Number(d.event_created), data: JSON.parse(d.data) as Record<string, unknown> },
        d.attempts + 1,
      ),
    );
    const batched = subscription.batch !== undefined;
    const body = JSON.stringify(batched ? envelopes : envelopes[0]);
    // The event id is the message id on every attempt; a batch is named by its first delivery.
    const messageId = batched ? `batch_${group[0]!.id}` : group[0]!.event_id;
    const headers = signatureHeaders(this.deps.secrets.get(subscription.id) ?? [], messageId, started, body);
    const timeoutMs =
      subscription.mode === 'fire-and-forget' ? Math.min(subscription.timeout, FIRE_AND_FORGET_TIMEOUT_MS) : subscription.timeout;
    return this.deps.sender.post(group[0]!.url, body, headers, {
      timeoutMs,
      responseLimit: this.deps.responseLimit,
      headers: subscription.headers,
      tls: this.deps.clientTls.get(subscription.id),
    });
  }

  private async settle(
    group: DueDelivery[],
    subscription: SubscriptionConfig,
    started: number,
    result: SendResult,
  ): Promise<void> {
    const { clock, log } = this.deps;
    const now = clock.now();
    const delivered =
      result.status !== undefined &&
      (subscription.success === '200' ? result.status === 200 : result.status >= 200 && result.status < 300);
    const error = delivered ? null : (result.error ?? `answered ${result.status}`);
    const attempt = group[0]!.attempts + 1;
    const schedule = subscription.mode === 'fire-and-forget' ? [0] : subscription.retry;
    const gone = result.status === 410;
    const exhausted = !delivered && (gone || attempt >= schedule.length);

    const updates = group.map((d) => {
      let delivery: DeliveryUpdate;
      if (delivered)
        delivery = {
          id: d.id,
          status: 'succeeded',
          attempts: attempt,
          next_attempt_at: null,
          finished_at: now,
          last_status: result.status ?? null,
          last_error: null,
        };
      else if (exhausted) delivery = this.failed(d, attempt, now, result.status ?? null, error);
      else {
        const wait = Math.max(
          schedule[attempt] ?? 0,
          (result.status === 429 || result.status === 503) && result.retryAfterMs !== undefined ? result.retryAfterMs : 0,
        );
        delivery = {
          id: d.id,
          status: 'pending',
          attempts: attempt,
          next_attempt_at: now + wait,
          finished_at: null,
          last_status: result.status ?? null,
          last_error: error,
        };
      }
      return { kind: 'attempt', row: this.attemptRow(d, started, result), delivery } satisfies StoreWrite;
    });
    if (!(await this.record(group, updates))) return;
    this.deps.telemetry.deliveryAttempted(
      subscription.id,
      delivered ? 'delivered' : gone ? 'gone' : exhausted ? 'exhausted' : 'retrying',
      group.length,
    );
    log.debug(
      { subscription: subscription.id, deliveries: group.length, attempt, status: result.status, error },
      delivered ? 'delivered' : 'delivery attempt failed',
    );

    const hookBody = {
      subscription: subscription.id,
      url: group[0]!.url,
      attempt,
      status: result.status ?? null,
      error,
      events: group.map((d) => ({ id: d.event_id, type: d.type })),
    };
    if (!delivered && result.status !== undefined && result.status >= 300)
      await this.deps.runHook(subscription.on_failure, { subscription, body: hookBody });
    if (delivered) {
      // Written only when there is a count to reset: a success is the common case.
      if ((this.exhaustedInARow.get(subscription.id) ?? 0) > 0) {
        this.exhaustedInARow.set(subscription.id, await this.countExhausted(subscription.id, false));
      }
      return;
    }
    if (gone) return this.deps.disable(subscription, `${group[0]!.url} answered 410 Gone`);
    if (!exhausted) return;
    await this.deps.runHook(subscription.on_exhausted, { subscription, body: hookBody });
    const inARow = await this.countExhausted(subscription.id, true);
    this.exhaustedInARow.set(subscription.id, inARow);
    if (inARow >= subscription.disable_after)
      await this.deps.disable(subscription, `${inARow} deliveries in a row were exhausted`);
  }

  /** Counts an exhausted delivery (or resets the count after a success); returns the new count. */
  private async countExhausted(subscriptionId: string, exhausted: boolean): Promise<number> {
    await this.deps.store.commit([{ kind: 'exhausted_counted', subscriptionId, exhausted }]);
    return this.deps.repo.exhaustedInARow(subscriptionId);
  }

  private failed(d: DueDelivery, attempts: number, now: number, status: number | null, error: string | null): DeliveryUpdate {
    return {
      id: d.id,
      status: 'failed',
      attempts,
      next_attempt_at: null,
      finished_at: now,
      last_status: status,
      last_error: error,
    };
  }

  private attemptRow(
    d: DueDelivery,
    started: number,
    result: Pick<SendResult, 'status' | 'response' | 'latencyMs' | 'error'>,
  ): AttemptRow {
    return {
      delivery_id: d.id,
      attempt: d.attempts + 1,
      started_at: started,
      latency_ms: result.latencyMs,
      status_code: result.status ?? null,
      error: result.error ?? null,
      response: result.response || null,
    };
  }
}
