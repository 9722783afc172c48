// Emitting events: an event and a delivery row for every subscription that hears it are
// written in one commit (the transactional outbox), then the worker is woken.
import type { Clock } from '../clock.js';
import type { SubscriptionConfig } from '../config/schema.js';
import type { IdSource } from '../ids.js';
import { redact } from '../redact.js';
import type { EventSink } from '../event-sink.js';
import type { DeliveryRow, EventRow, StoreWrite, UnitOfWork } from '../store/writes.js';
import type { EngineEvent, EventSource } from './event.js';
import type { EventCatalog } from './event-catalog.js';
import type { SubscriptionIndex } from './subscription-index.js';

export class EventInvalid extends Error {}

export interface PreparedEvent {
  event: EngineEvent;
  /** The event's and its deliveries' writes, for a unit of work shared with whatever caused the event. */
  writes: readonly StoreWrite[];
  /** To call once the writes are committed: wakes the delivery worker. */
  committed: () => void;
}

export interface OutboxDeps {
  store: UnitOfWork;
  index: SubscriptionIndex;
  catalog: EventCatalog;
  ids: IdSource;
  clock: Clock;
}

/** The one sink of the engine's events (see event-sink.ts). */
export class Outbox implements EventSink {
  private readonly queuedListeners: ((subscriptions: readonly SubscriptionConfig[]) => void)[] = [];

  constructor(private readonly deps: OutboxDeps) {}

  /** Tells `listener` (the delivery worker) whenever deliveries were queued, with their subscriptions. */
  onQueued(listener: (subscriptions: readonly SubscriptionConfig[]) => void): void {
    this.queuedListeners.push(listener);
  }

  /** Checks the data against the type's schema; undefined when no subscription hears the event. */
  prepare(type: string, source: EventSource, data: Record<string, unknown>): PreparedEvent | undefined {
    const known = this.deps.catalog.get(type);
    if (!known) throw new EventInvalid(`event type "${type}" is not in the catalogue; drivers declare theirs in \`events\``);
    const created = this.deps.clock.now();
    const subscriptions = this.deps.index.matching({ type, source });
    // Events nobody listens to are not kept: the outbox holds what is to be delivered. (So
    // they are not validated either: on the fire path that check would cost every request.)
    if (subscriptions.length === 0) return undefined;
    const parsed = known.data.safeParse(data);
    if (!parsed.success)
      throw new EventInvalid(
        `${type} data: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(data)'}: ${i.message}`).join('; ')}`,
      );
    const event: EngineEvent = {
      id: this.deps.ids.next('evt'),
      type,
      created,
      source,
      // Events leave the engine: a secret-looking field never goes with them, whatever put it there.
      data: redact(parsed.data) as Record<string, unknown>,
    };
    const row: EventRow = {
      id: event.id,
      type,
      created_at: event.created,
      source: JSON.stringify(source),
      data: JSON.stringify(event.data),
    };
    const deliveries = subscriptions.map((s) => this.deliveryFor(event, s));
    const writes: StoreWrite[] = [
      { kind: 'event', row },
      ...deliveries.map((delivery) => ({ kind: 'delivery' as const, row: delivery })),
    ];
    return {
      event,
      writes,
      committed: () => {
        for (const listener of this.queuedListeners) listener(subscriptions);
      },
    };
  }

  /** Emits on its own commit; resolves once the event and its deliveries are durable. */
  async emit(type: string, source: EventSource, data: Record<string, unknown>): Promise<EngineEvent | undefined> {
    const prepared = this.prepare(type, source, data);
    if (!prepared) return undefined;
    await this.deps.store.commit(prepared.writes);
    prepared.committed();
    return prepared.event;
  }

  private deliveryFor(event: EngineEvent, subscription: SubscriptionConfig): DeliveryRow {
    // A batch waits up to max_wait for company; everything else is due after its first delay.
    const firstDelay = subscription.batch
      ? subscription.batch.max_wait
      : subscription.mode === 'fire-and-forget'
        ? 0
        : (subscription.retry[0] ?? 0);
    return {
      id: this.deps.ids.next('dlv'),
      event_id: event.id,
      subscription_id: subscription.id,
      url: subscription.url,
      status: 'pending',
      attempts: 0,
      next_attempt_at: event.created + firstDelay,
      created_at: event.created,
      finished_at: null,
      last_status: null,
      last_error: null,
    };
  }
}
