// The transactional outbox, for reading: events and their deliveries (written as `event`
// and `delivery` writes in the same commit as whatever caused them), attempts, and the
// state each subscription keeps. The CLI's redeliver and recover write here directly.
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { DeliveryStatus, SubscriptionStateTable, Tables } from './tables.js';
import type { AttemptRow, DeliveryRow } from './writes.js';

export type { AttemptRow, DeliveryRow, EventRow } from './writes.js';
export type SubscriptionState = SubscriptionStateTable;

/** A due delivery with what its envelope needs from the event. */
export interface DueDelivery extends DeliveryRow {
  type: string;
  event_created: number;
  data: string;
}

export interface DeliveryFilter {
  subscriptionId?: string;
  status?: DeliveryStatus;
  type?: string;
  /** Created at or after this time (ms). */
  since?: number;
  limit?: number;
}

/** A delivery lease taken from the node that held it before (its lease had run out). */
export interface TakenOver {
  deliveryId: string;
  from: string;
}

/** A delivery's columns as the outbox reads them (its lease is the claim's business alone). */
const DELIVERY_COLUMNS = [
  'd.id',
  'd.event_id',
  'd.subscription_id',
  'd.url',
  'd.status',
  'd.attempts',
  'd.next_attempt_at',
  'd.created_at',
  'd.finished_at',
  'd.last_status',
  'd.last_error',
] as const;

export class OutboxRepo {
  constructor(private readonly db: Kysely<Tables>) {}

  /** Whether deliveries are leased (PostgreSQL, where several nodes may share the outbox). */
  get leases(): boolean {
    return this.db.getExecutor().adapter instanceof PostgresAdapter;
  }

  /**
   * PostgreSQL: takes up to `limit` due deliveries nobody holds (or whose lease has run
   * out, or whose node stopped or has been silent since `silentBefore`, real time), leased
   * to `owner` until `now + leaseMs`, oldest due first; rows another node is taking at the
   * same moment are skipped, not waited for. `only` narrows it to one subscription's url
   * (filling a batch). `takenOver` hears of leases taken from another node.
   */
  async claim(
    owner: string,
    now: number,
    limit: number,
    leaseMs: number,
    {
      only,
      takenOver,
      silentBefore = -Infinity,
    }: { only?: { subscriptionId: string; url: string }; takenOver?: (taken: TakenOver[]) => void; silentBefore?: number } = {},
  ): Promise<DueDelivery[]> {
    const silent = Number.isFinite(silentBefore) ? silentBefore : Number.MIN_SAFE_INTEGER;
    const { rows } = await sql<DueDelivery & { previous_owner: string | null }>`
      with picked as (
        select id, lease_owner as previous_owner from deliveries
        where status = 'pending' and next_attempt_at <= ${now}
          and (lease_until is null or lease_until <= ${now}
            or lease_owner in (select id from nodes where stopped_at is not null or seen_at < ${silent}))
          ${only ? sql`and subscription_id = ${only.subscriptionId} and url = ${only.url}` : sql``}
        order by next_attempt_at, id
        limit ${limit}
        for update skip locked)
      update deliveries d set lease_owner = ${owner}, lease_until = ${now + leaseMs}
      from picked, events e
      where d.id = picked.id and e.id = d.event_id
      returning d.id, d.event_id, d.subscription_id, d.url, d.status, d.attempts, d.next_attempt_at, d.created_at,
        d.finished_at, d.last_status, d.last_error, e.type, e.created_at as event_created, e.data, picked.previous_owner`.execute(
      this.db,
    );
    const taken = rows.filter((r) => r.previous_owner !== null && r.previous_owner !== owner);
    if (taken.length > 0) takenOver?.(taken.map((r) => ({ deliveryId: r.id, from: r.previous_owner! })));
    for (const row of rows) delete (row as { previous_owner?: string | null }).previous_owner;
    return rows.sort((a, b) => Number(a.next_attempt_at) - Number(b.next_attempt_at) || (a.id < b.id ? -1 : 1));
  }

  /** Pending deliveries due by `now`, oldest due first. */
  async due(now: number, limit: number): Promise<DueDelivery[]> {
    return this.pendingQuery(now, limit).execute() as Promise<DueDelivery[]>;
  }

  /** Pending deliveries of one subscription due by `until`, for filling a batch. */
  async pendingFor(subscriptionId: string, until: number, limit: number): Promise<DueDelivery[]> {
    return this.pendingQuery(until, limit).where('d.subscription_id', '=', subscriptionId).execute() as Promise<DueDelivery[]>;
  }

  private pendingQuery(until: number, limit: number) {
    return this.db
      .selectFrom('deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .select(DELIVERY_COLUMNS)
      .select(['e.type', 'e.created_at as event_created', 'e.data'])
      .where('d.status', '=', 'pending')
      .where('d.next_attempt_at', '<=', until)
      .orderBy('d.next_attempt_at')
      .orderBy('d.id')
      .limit(limit);
  }

  /** How many pending deliveries of a subscription go to each url, most first. */
  async pendingUrls(subscriptionId: string): Promise<{ url: string; count: number }[]> {
    const rows = await this.db
      .selectFrom('deliveries')
      .select((eb) => ['url', eb.fn.countAll<number>().as('count')])
      .where('subscription_id', '=', subscriptionId)
      .where('status', '=', 'pending')
      .groupBy('url')
      .orderBy('count', 'desc')
      .orderBy('url')
      .execute();
    return rows.map((r) => ({ url: r.url, count: Number(r.count) }));
  }

  /** Per subscription with pending deliveries: how many, and when the oldest was created (for metrics). */
  async pendingBySubscription(): Promise<{ subscriptionId: string; pending: number; oldestCreatedAt: number }[]> {
    const rows = await this.db
      .selectFrom('deliveries')
      .select((eb) => ['subscription_id', eb.fn.countAll<number>().as('pending'), eb.fn.min('created_at').as('oldest')])
      .where('status', '=', 'pending')
      .groupBy('subscription_id')
      .execute();
    return rows.map((r) => ({
      subscriptionId: r.subscription_id,
      pending: Number(r.pending),
      oldestCreatedAt: Number(r.oldest),
    }));
  }

  /** When the next pending delivery falls due, if any. */
  async nextDueAt(): Promise<number | undefined> {
    const row = await this.db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.min('next_attempt_at').as('at'))
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return row?.at === null || row?.at === undefined ? undefined : Number(row.at);
  }

  async list(filter: DeliveryFilter = {}): Promise<(DeliveryRow & { type: string })[]> {
    let query = this.db
      .selectFrom('deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .select(DELIVERY_COLUMNS)
      .select('e.type');
    if (filter.subscriptionId) query = query.where('d.subscription_id', '=', filter.subscriptionId);
    if (filter.status) query = query.where('d.status', '=', filter.status);
    if (filter.type) query = query.where('e.type', '=', filter.type);
    if (filter.since !== undefined) query = query.where('d.created_at', '>=', filter.since);
    return query
      .orderBy('d.created_at', 'desc')
      .orderBy('d.id', 'desc')
      .limit(filter.limit ?? 50)
      .execute();
  }

  /** Created at or after `ms` (and after `after`, the last row of a full page), oldest first (the admin stream's cursor). */
  async since(ms: number, limit: number, after?: { at: number; id: string }): Promise<(DeliveryRow & { type: string })[]> {
    let query = this.db
      .selectFrom('deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .select(DELIVERY_COLUMNS)
      .select('e.type')
      .where('d.created_at', '>=', ms);
    if (after)
      query = query.where((eb) =>
        eb.or([eb('d.created_at', '>', after.at), eb.and([eb('d.created_at', '=', after.at), eb('d.id', '>', after.id)])]),
      );
    return query.orderBy('d.created_at').orderBy('d.id').limit(limit).execute();
  }

  /** Attempts recorded after the one numbered `seq` (their order of recording), oldest first, with their number. */
  async attemptsAfter(seq: number, limit: number): Promise<{ seq: number; delivery_id: string; started_at: number }[]> {
    const rows = await this.db
      .selectFrom('delivery_attempts')
      .select(['seq', 'delivery_id', 'started_at'])
      .where('seq', '>', seq)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ seq: Number(r.seq), delivery_id: r.delivery_id, started_at: Number(r.started_at) }));
  }

  /** The number of the last attempt recorded, or of the last one started before `ms` when given (0: none). */
  async lastAttemptSeq(before?: number): Promise<number> {
    let query = this.db.selectFrom('delivery_attempts').select('seq').orderBy('seq', 'desc').limit(1);
    if (before !== undefined) query = query.where('started_at', '<', before);
    const row = await query.executeTakeFirst();
    return Number(row?.seq ?? 0);
  }

  /** The deliveries of these events (what a run's emits made), oldest first. */
  async forEvents(eventIds: readonly string[]): Promise<DeliveryRow[]> {
    if (eventIds.length === 0) return [];
    return this.db
      .selectFrom('deliveries as d')
      .select(DELIVERY_COLUMNS)
      .where('d.event_id', 'in', eventIds)
      .orderBy('d.created_at')
      .orderBy('d.id')
      .execute();
  }

  async getMany(ids: readonly string[]): Promise<(DeliveryRow & { type: string })[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom('deliveries as d')
      .innerJoin('events as e', 'e.id', 'd.event_id')
      .select(DELIVERY_COLUMNS)
      .select('e.type')
      .where('d.id', 'in', ids)
      .execute();
  }

  async get(id: string): Promise<DeliveryRow | undefined> {
    return this.db.selectFrom('deliveries as d').select(DELIVERY_COLUMNS).where('d.id', '=', id).executeTakeFirst();
  }

  async attempts(deliveryId: string): Promise<AttemptRow[]> {
    return this.db
      .selectFrom('delivery_attempts')
      .select(['delivery_id', 'attempt', 'started_at', 'latency_ms', 'status_code', 'error', 'response'])
      .where('delivery_id', '=', deliveryId)
      .orderBy('seq')
      .execute();
  }

  /** Queues a delivery again, whatever its state; the event id stays the same. */
  async redeliver(id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('deliveries')
      .set({ status: 'pending', next_attempt_at: now, finished_at: null })
      .where('id', '=', id)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Queues again every failed delivery created since `since`; returns how many. */
  async recover(since: number, now: number): Promise<number> {
    const result = await this.db
      .updateTable('deliveries')
      .set({ status: 'pending', next_attempt_at: now, finished_at: null })
      .where('status', '=', 'failed')
      .where('created_at', '>=', since)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async subscriptionStates(): Promise<SubscriptionState[]> {
    return this.db.selectFrom('subscription_state').selectAll().execute();
  }

  /** Returns each subscription's stored secret, generating and storing the missing ones. */
  async ensureSecrets(ids: readonly string[], generate: () => string): Promise<Map<string, string>> {
    const states = new Map((await this.subscriptionStates()).map((s) => [s.subscription_id, s.secret]));
    const secrets = new Map<string, string>();
    for (const id of ids) {
      let secret = states.get(id) ?? null;
      if (secret === null) {
        secret = generate();
        await this.db
          .insertInto('subscription_state')
          .values({ subscription_id: id, secret, consecutive_exhausted: 0, disabled_at: null, disabled_reason: null })
          .onConflict((oc) => oc.column('subscription_id').doUpdateSet({ secret }))
          .execute();
      }
      secrets.set(id, secret);
    }
    return secrets;
  }

  /** How many deliveries in a row the subscription has exhausted (counted by `exhausted_counted` writes). */
  async exhaustedInARow(subscriptionId: string): Promise<number> {
    const row = await this.db
      .selectFrom('subscription_state')
      .select('consecutive_exhausted')
      .where('subscription_id', '=', subscriptionId)
      .executeTakeFirst();
    return Number(row?.consecutive_exhausted ?? 0);
  }

  /** Enables (at null) or disables a subscription from the CLI; the engine writes `subscription_disabled`. */
  async setDisabled(subscriptionId: string, at: number | null, reason: string | null): Promise<void> {
    await this.db
      .insertInto('subscription_state')
      .values({
        subscription_id: subscriptionId,
        secret: null,
        consecutive_exhausted: 0,
        disabled_at: at,
        disabled_reason: reason,
      })
      .onConflict((oc) =>
        oc.column('subscription_id').doUpdateSet({ disabled_at: at, disabled_reason: reason, consecutive_exhausted: 0 }),
      )
      .execute();
  }
}
