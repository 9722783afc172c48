// The PostgreSQL connection that applies typed writes: one transaction per batch on a
// connection of its own (reads never queue behind a commit, nor a commit behind reads),
// counters summed per instance. Each statement is a round trip to the server, so the rows
// a fire writes are grouped: the batch's request rows are one multi-row insert, its runs
// another, the runs' ends one update (pg-row-groups.ts); every other write is a statement
// of its own, in order, after the groups gathered before it. synchronous_commit is the
// server's (on by default): a batch resolves once PostgreSQL has it on disk.
import type pg from 'pg';
import { RowGroups, type Query } from './pg-row-groups.js';
import { WriteCounters } from './write-counters.js';
import type { Refused } from './write-batcher.js';
import { rateStep, waitMs } from './guard-math.js';
import { CLAIMS_KEPT_MS, guardOf, type CommitGuard, type Refusal, type StoreWrite } from './writes.js';

/** The server's clock in epoch milliseconds: one clock for every node. */
const NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';
const NOW_US = '(extract(epoch from clock_timestamp()) * 1000000)::bigint';

const SQL = {
  fireCounted: `insert into instance_stats (instance_id, trigger_count, last_fired_at) values ($1, $2, $3)
    on conflict (instance_id) do update set trigger_count = instance_stats.trigger_count + excluded.trigger_count,
      last_fired_at = greatest(instance_stats.last_fired_at, excluded.last_fired_at)`,
  actionErrorCounted: `insert into instance_stats (instance_id, trigger_count, last_fired_at, action_errors) values ($1, 0, null, $2)
    on conflict (instance_id) do update set action_errors = instance_stats.action_errors + excluded.action_errors`,
  conditionsEvaluated: `insert into instance_stats (instance_id, trigger_count, last_fired_at, comparison_errors, triggered, triggered_at)
    values ($1, 0, null, $2, $3, $4)
    on conflict (instance_id) do update set comparison_errors = instance_stats.comparison_errors + excluded.comparison_errors,
      triggered = excluded.triggered, triggered_at = excluded.triggered_at`,
  attempt: `insert into delivery_attempts (delivery_id, attempt, started_at, latency_ms, status_code, error, response)
    values ($1, $2, $3, $4, $5, $6, $7)`,
  deliveryUpdate: `update deliveries set status = $1, attempts = $2, next_attempt_at = $3,
    finished_at = $4, last_status = $5, last_error = $6, lease_owner = null, lease_until = null where id = $7`,
  // Locks the rows it finds: a second node recording the same attempt waits, then finds the count moved on.
  attemptFence: `select d.id from deliveries d join unnest($1::text[], $2::bigint[]) as f(id, attempts)
    on d.id = f.id and d.attempts = f.attempts where d.status = 'pending' for update of d`,
  deliveriesDue: `update deliveries set next_attempt_at = $1 where id = any($2) and status = 'pending'`,
  // As SQLite's min(): a delivery without a time keeps none, and a null limit changes nothing.
  deliveriesRetargeted: `update deliveries set url = $1,
      next_attempt_at = case when $2::bigint is null or next_attempt_at is null then next_attempt_at else least(next_attempt_at, $2::bigint) end
    where subscription_id = $3 and status = 'pending' and url = any($4)`,
  // Several nodes may record one schedule's fires: the latest stays.
  scheduleFired: `insert into schedule_fires (instance_id, condition, last_fired_at) values ($1, $2, $3)
    on conflict (instance_id, condition) do update set last_fired_at = greatest(schedule_fires.last_fired_at, excluded.last_fired_at)`,
  exhaustedCounted: `insert into subscription_state (subscription_id, secret, consecutive_exhausted, disabled_at, disabled_reason)
    values ($1, null, $2, null, null)
    on conflict (subscription_id) do update set consecutive_exhausted =
      case when excluded.consecutive_exhausted = 1 then subscription_state.consecutive_exhausted + 1 else 0 end`,
  subscriptionDisabled: `insert into subscription_state (subscription_id, secret, consecutive_exhausted, disabled_at, disabled_reason)
    values ($1, null, 0, $2, $3)
    on conflict (subscription_id) do update set disabled_at = excluded.disabled_at, disabled_reason = excluded.disabled_reason,
      consecutive_exhausted = 0`,
  moduleState: `insert into module_state (system_id, address, driver, state, updated_at) values ($1, $2, $3, $4, $5)
    on conflict (system_id, address) do update set driver = excluded.driver, state = excluded.state, updated_at = excluded.updated_at`,
  nodeSeen: `insert into nodes (id, host, pid, url, generation, config_hash, started_at, seen_at, stopped_at, modules)
    values ($1, $2, $3, $4, $5, $6, $7, $8, null, $9)
    on conflict (id) do update set url = excluded.url, generation = excluded.generation, config_hash = excluded.config_hash,
      seen_at = excluded.seen_at, modules = coalesce(excluded.modules, nodes.modules)`,
  nodeStopped: 'update nodes set stopped_at = $1, seen_at = $1 where id = $2',
  // The server's clock unless the engine's is given ($2): one clock for every node. The row
  // is locked from the conflict on, so concurrent requests are decided one after another;
  // SET reads the row's old values, RETURNING the new decision.
  debounce: `insert into debounce_windows as w (key, last_at, admitted)
      values ($1, coalesce($2::bigint, ${NOW}), 1)
    on conflict (key) do update set admitted = (excluded.last_at - w.last_at >= $3::bigint)::int,
      last_at = case when $4::boolean or excluded.last_at - w.last_at >= $3::bigint
        then greatest(w.last_at, excluded.last_at) else w.last_at end
    returning admitted`,
  // A claim made a day ago can no longer be contended: each claim takes its schedule's old ones
  // away. Old by due time too, so the delete walks the primary key; a catch-up's claims of old
  // times stay until they were made a day ago (017_claim_times).
  scheduleClaim: `with old as (delete from schedule_claims where instance_id = $1 and condition = $2
      and due_at < $3::bigint - ${CLAIMS_KEPT_MS} and coalesce(claimed_at, 0) < $4::bigint - ${CLAIMS_KEPT_MS})
    insert into schedule_claims (instance_id, condition, due_at, claimed_at) values ($1, $2, $3, $4) on conflict do nothing`,
  // An instance's own window and its per-key ones (keyed `ID\nVALUE`): compared by equality,
  // not by range, which a collation other than C would order differently.
  debounceForgotten: `delete from debounce_windows where key = any($1) or split_part(key, E'\\n', 1) = any($1)`,
  // Claimed unless an unexpired claim holds the key (the row is locked from the conflict on:
  // a concurrent claim waits, then finds it held). now = excluded.expires_at - window.
  idempotencyClaim: `insert into idempotency_keys as k (key, run_id, expires_at)
      values ($1, $2, coalesce($3::bigint, ${NOW}) + $4::bigint)
    on conflict (key) do update set run_id = excluded.run_id, expires_at = excluded.expires_at
      where k.expires_at <= excluded.expires_at - $4::bigint`,
  idempotencyHeld: 'select run_id from idempotency_keys where key = $1',
  idempotencyReturned: 'delete from idempotency_keys where key = $1 and run_id = $2',
  // GCRA in microseconds (guard-math.ts); now = excluded.tat - step. SET reads the old row, RETURNING the decision.
  rate: `insert into rate_limits as r (key, tat, retry_us) values ($1, coalesce($2::bigint * 1000, ${NOW_US}) + $3::bigint, 0)
    on conflict (key) do update set
      retry_us = case when greatest(r.tat, excluded.tat - $3::bigint) - (excluded.tat - $3::bigint) <= $4::bigint then 0
        else r.tat - (excluded.tat - $3::bigint) - $4::bigint end,
      tat = case when greatest(r.tat, excluded.tat - $3::bigint) - (excluded.tat - $3::bigint) <= $4::bigint
        then greatest(r.tat, excluded.tat - $3::bigint) + $3::bigint else r.tat end
    returning retry_us`,
  // What has expired means nothing any more: an absent row decides the same.
  idempotencyExpired: `delete from idempotency_keys where expires_at <= coalesce($1::bigint, ${NOW})`,
  rateExpired: `delete from rate_limits where tat <= coalesce($1::bigint * 1000, ${NOW_US})`,
  windowsExpired: `delete from debounce_windows where split_part(key, E'\\n', 1) = $1 and strpos(key, E'\\n') > 0
    and last_at <= coalesce($2::bigint, ${NOW}) - $3::bigint`,
  windowsOverCap: `delete from debounce_windows where split_part(key, E'\\n', 1) = $1 and strpos(key, E'\\n') > 0
    and key not in (select key from debounce_windows where split_part(key, E'\\n', 1) = $1 and strpos(key, E'\\n') > 0
      order by last_at desc limit $2)`,
  requestAnswered: 'update request_log set status = $1, outcome = $2, latency_ms = $3 where id = $4',
  overrideSet: `insert into overrides (target, id, field, value, set_at, set_by) values ($1, $2, $3, $4, $5, $6)
    on conflict (target, id, field) do update set value = excluded.value, set_at = excluded.set_at, set_by = excluded.set_by`,
  overrideCleared: 'delete from overrides where target = $1 and id = $2 and field = $3',
  deliveryRequeued: `update deliveries set status = 'pending', next_attempt_at = $1, finished_at = null,
    lease_owner = null, lease_until = null where id = $2`,
  deliveriesRecovered: `update deliveries set status = 'pending', next_attempt_at = $1, finished_at = null
    where status = 'failed' and created_at >= $2`,
  generation: `insert into config_generations (hash, files, overrides, created_at) values ($1, $2, $3, $4)
    on conflict (hash) do nothing`,
  generationServed: `insert into config_served (node_id, served_from, hash) values ($1, $2, $3)
    on conflict (node_id, served_from) do update set hash = excluded.hash`,
  probe: 'insert into store_probe (pad) values (null)',
} as const;

export interface PostgresWriterOptions {
  /** Decide debounce windows by the engine's clock (tests on a fake clock), not the server's. */
  engineClock?: boolean;
}

export class PostgresWriter {
  constructor(
    /** A pool of one connection, the writer's own. */
    private readonly pool: pg.Pool,
    private readonly options: PostgresWriterOptions = {},
  ) {}

  /**
   * Applies every unit in one transaction; rejects (and rolls back) if any write fails.
   * Units with a guard are decided first, one statement each, inside the same transaction:
   * a refused unit's `otherwise` is written instead of its writes.
   */
  async applyAll(units: readonly (readonly StoreWrite[])[]): Promise<Refused> {
    const at = this.options.engineClock ? (t: number) => t : () => null;
    if (!units.some((unit) => guardOf(unit))) return this.transaction(queriesOf(units, at));
    return this.transaction(async (client) => {
      let refused: Map<number, Refusal> | undefined;
      const decided: (readonly StoreWrite[])[] = [];
      for (const [i, unit] of units.entries()) {
        const guarded = guardOf(unit);
        const refusal = guarded && (await this.decide(client, guarded.guards));
        if (!guarded) decided.push(unit);
        else if (!refusal) decided.push(unit.slice(1));
        else {
          (refused ??= new Map()).set(i, refusal);
          decided.push(guarded.otherwise(refusal));
        }
      }
      return { queries: queriesOf(decided, at), result: refused };
    });
  }

  /** Decides the guards in order; the first to refuse decides, and claims made before it are given back. */
  private async decide(client: pg.PoolClient, guards: readonly CommitGuard[]): Promise<Refusal | undefined> {
    for (const [i, guard] of guards.entries()) {
      const refusal = await this.refusal(client, guard);
      if (!refusal) continue;
      for (const claimed of guards.slice(0, i))
        if (claimed.kind === 'idempotency') await client.query(SQL.idempotencyReturned, [claimed.key, claimed.run]);
      return refusal;
    }
    return undefined;
  }

  private async refusal(client: pg.PoolClient, guard: CommitGuard): Promise<Refusal | undefined> {
    const at = this.options.engineClock && 'at' in guard ? guard.at : null;
    if (guard.kind === 'idempotency') {
      const claimed = await client.query(SQL.idempotencyClaim, [guard.key, guard.run, at, guard.windowMs]);
      if (claimed.rowCount === 1) return undefined;
      const { rows } = await client.query<{ run_id: string }>(SQL.idempotencyHeld, [guard.key]);
      return { guard: 'idempotency', run: rows[0]!.run_id };
    }
    if (guard.kind === 'rate') {
      const { stepUs, burstUs } = rateStep(guard.requests, guard.perMs);
      const { rows } = await client.query<{ retry_us: string }>(SQL.rate, [guard.key, at, stepUs, burstUs]);
      const retryUs = Number(rows[0]!.retry_us);
      return retryUs > 0 ? { guard: 'rate', retryAfterMs: waitMs(retryUs) } : undefined;
    }
    return (await this.passes(client, guard)) ? undefined : { guard: guard.kind };
  }

  private async passes(client: pg.PoolClient, guard: Exclude<CommitGuard, { kind: 'idempotency' | 'rate' }>): Promise<boolean> {
    if (guard.kind === 'attempt_fence') {
      const ids = guard.deliveries.map((d) => d.id);
      const { rows } = await client.query(SQL.attemptFence, [ids, guard.deliveries.map((d) => d.attempts)]);
      return rows.length === ids.length;
    }
    if (guard.kind === 'schedule_claim') {
      const claimed = await client.query(SQL.scheduleClaim, [guard.instanceId, guard.condition, guard.at, guard.claimedAt]);
      return claimed.rowCount === 1;
    }
    const at = this.options.engineClock ? guard.at : null;
    const { rows } = await client.query<{ admitted: number }>(SQL.debounce, [
      guard.key,
      at,
      guard.periodMs,
      guard.mode === 'hold',
    ]);
    return rows[0]!.admitted === 1;
  }

  /** Whether a write could start now: inserts a row and rolls back. Rejects with the server's error when it cannot. */
  async probe(): Promise<void> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('begin');
      await client.query(SQL.probe);
    } catch (error) {
      broken = error as Error;
      throw error;
    } finally {
      await client.query('rollback').catch(() => undefined);
      client.release(broken);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  /**
   * Runs the queries in one transaction; or first `decide` (inside it, on its connection),
   * then the queries it returns, resolving to its result.
   */
  private async transaction<T = void>(
    work: readonly Query[] | ((client: pg.PoolClient) => Promise<{ queries: readonly Query[]; result: T }>),
  ): Promise<T | undefined> {
    if (Array.isArray(work) && work.length === 0) return;
    const client = await this.pool.connect();
    let failure: Error | undefined;
    try {
      // One statement is atomic on its own: no round trips for begin and commit (the runs' ends of a batch are one).
      if (Array.isArray(work) && work.length === 1) {
        await client.query(work[0]![0], work[0]![1]);
        return;
      }
      await client.query('begin');
      let result: T | undefined;
      let queries = work as readonly Query[];
      if (typeof work === 'function') ({ queries, result } = await work(client));
      for (const [text, values] of queries) await client.query(text, values);
      await client.query('commit');
      return result;
    } catch (error) {
      failure = error as Error;
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      // A connection that failed is dropped rather than reused: it may be the one that broke.
      client.release(failure);
    }
  }
}

/** The engine's time where it decides (tests on a fake clock), else null: the server's clock does. */
type EngineTime = (at: number) => number | null;

/** The statements of a batch's units: rows grouped, counters summed, the rest in order. */
function queriesOf(units: readonly (readonly StoreWrite[])[], at: EngineTime): Query[] {
  const counters = new WriteCounters();
  const groups = new RowGroups();
  const queries: Query[] = [];
  for (const unit of units)
    for (const write of unit) {
      if (counters.add(write) || groups.add(write)) continue;
      queries.push(...groups.take(), ...statementsOf(write, at));
    }
  queries.push(...groups.take());
  for (const [instanceId, { count, at }] of counters.fires) queries.push([SQL.fireCounted, [instanceId, count, at]]);
  for (const [instanceId, count] of counters.actionErrors) queries.push([SQL.actionErrorCounted, [instanceId, count]]);
  return queries;
}

/** The statements of a write that is not grouped, in the order of its batch. */
function statementsOf(write: StoreWrite, at: EngineTime): Query[] {
  switch (write.kind) {
    case 'conditions_evaluated':
      return [[SQL.conditionsEvaluated, [write.instanceId, write.errors, write.triggered ? 1 : 0, write.at]]];
    case 'attempt': {
      const a = write.row;
      const d = write.delivery;
      return [
        [SQL.attempt, [a.delivery_id, a.attempt, a.started_at, a.latency_ms, a.status_code, a.error, a.response]],
        [SQL.deliveryUpdate, [d.status, d.attempts, d.next_attempt_at, d.finished_at, d.last_status, d.last_error, d.id]],
      ];
    }
    case 'deliveries_due':
      return [[SQL.deliveriesDue, [write.at, write.ids]]];
    case 'deliveries_retargeted':
      return [[SQL.deliveriesRetargeted, [write.to, write.at, write.subscriptionId, write.from]]];
    case 'schedule_fired':
      return [[SQL.scheduleFired, [write.instanceId, write.condition, write.at]]];
    case 'exhausted_counted':
      return [[SQL.exhaustedCounted, [write.subscriptionId, write.exhausted ? 1 : 0]]];
    case 'subscription_disabled':
      return [[SQL.subscriptionDisabled, [write.subscriptionId, write.at, write.reason]]];
    case 'module_state': {
      const r = write.row;
      return [[SQL.moduleState, [r.system_id, r.address, r.driver, r.state, r.updated_at]]];
    }
    case 'node_seen': {
      const r = write.row;
      return [[SQL.nodeSeen, [r.id, r.host, r.pid, r.url, r.generation, r.config_hash, r.started_at, r.seen_at, r.modules]]];
    }
    case 'node_stopped':
      return [[SQL.nodeStopped, [write.at, write.id]]];
    case 'debounce_forgotten':
      return [[SQL.debounceForgotten, [write.keys]]];
    case 'request_answered':
      return [[SQL.requestAnswered, [write.status, write.outcome, write.latencyMs, write.id]]];
    case 'keys_swept':
      return [
        [SQL.idempotencyExpired, [at(write.at)]],
        [SQL.rateExpired, [at(write.at)]],
        ...write.windows.flatMap(({ instanceId, periodMs, keep }): Query[] => [
          [SQL.windowsExpired, [instanceId, at(write.at), periodMs]],
          [SQL.windowsOverCap, [instanceId, keep]],
        ]),
      ];
    case 'override_set': {
      const r = write.row;
      return [[SQL.overrideSet, [r.target, r.id, r.field, r.value, r.set_at, r.set_by]]];
    }
    case 'override_cleared':
      return [[SQL.overrideCleared, [write.target, write.id, write.field]]];
    case 'delivery_requeued':
      return [[SQL.deliveryRequeued, [write.at, write.id]]];
    case 'deliveries_recovered':
      return [[SQL.deliveriesRecovered, [write.at, write.since]]];
    case 'generation_served':
      return [
        [SQL.generation, [write.hash, write.files, write.overrides, write.at]],
        [SQL.generationServed, [write.node, write.at, write.hash]],
      ];
    case 'guard':
      throw new Error('a guard is only ever first in its unit');
    default:
      // Grouped (RowGroups) or summed (WriteCounters) before it gets here.
      throw new Error(`${write.kind} is applied as a group`);
  }
}
