// The SQLite connection that applies typed writes, one prepared statement per kind. It
// waits for no lock (busy_timeout 0): a lock held elsewhere comes back at once as
// SQLITE_BUSY and the batcher waits for it asynchronously, so the event loop never blocks.
import SQLite from 'better-sqlite3';
import { useWal, type Durability } from './database.js';
import { packAction } from './packed-action.js';
import { WriteCounters } from './write-counters.js';
import type { Refused } from './write-batcher.js';
import { CLAIMS_KEPT_MS, guardOf, type CommitGuard, type Refusal, type StoreWrite } from './writes.js';
import { rateStep, waitMs, windowRange } from './guard-math.js';

// The three statements of every fire bind by position: binding named parameters from an
// object costs a property lookup per column, measurable at thousands of fires a second.
const SQL = {
  request: `insert into request_log
    (id, instance_id, received_at, method, path, headers, body, body_size, body_truncated, status, outcome, run_id, latency_ms, reason, client_ip)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  run: `insert into runs (id, instance_id, trigger_id, system_id, request_id, created_at, status, input, finished_at, error, node_id, trace)
    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  fireCounted: `insert into instance_stats (instance_id, trigger_count, last_fired_at) values (@instanceId, @count, @at)
    on conflict (instance_id) do update set trigger_count = trigger_count + @count,
      last_fired_at = max(coalesce(last_fired_at, 0), excluded.last_fired_at)`,
  runAction: `insert into run_actions (run_id, position, kind, target, status, error, started_at, finished_at, detail)
    values (@run_id, @position, @kind, @target, @status, @error, @started_at, @finished_at, @detail)`,
  actionErrorCounted: `insert into instance_stats (instance_id, trigger_count, last_fired_at, action_errors) values (@instanceId, 0, null, @count)
    on conflict (instance_id) do update set action_errors = action_errors + @count`,
  conditionsEvaluated: `insert into instance_stats (instance_id, trigger_count, last_fired_at, comparison_errors, triggered, triggered_at)
    values (@instanceId, 0, null, @errors, @triggered, @at)
    on conflict (instance_id) do update set comparison_errors = comparison_errors + @errors, triggered = @triggered, triggered_at = @at`,
  requestAnswered: 'update request_log set status = ?, outcome = ?, latency_ms = ? where id = ?',
  runFinished: 'update runs set status = ?, finished_at = ?, error = ?, last_action = ? where id = ?',
  event: 'insert into events (id, type, created_at, source, data) values (@id, @type, @created_at, @source, @data)',
  delivery: `insert into deliveries (id, event_id, subscription_id, url, status, attempts, next_attempt_at, created_at, finished_at, last_status, last_error)
    values (@id, @event_id, @subscription_id, @url, @status, @attempts, @next_attempt_at, @created_at, @finished_at, @last_status, @last_error)`,
  attempt: `insert into delivery_attempts (delivery_id, attempt, started_at, latency_ms, status_code, error, response)
    values (@delivery_id, @attempt, @started_at, @latency_ms, @status_code, @error, @response)`,
  deliveryUpdate: `update deliveries set status = @status, attempts = @attempts, next_attempt_at = @next_attempt_at,
    finished_at = @finished_at, last_status = @last_status, last_error = @last_error, lease_owner = null, lease_until = null
    where id = @id`,
  attemptFence: `select count(*) as n from deliveries where id = ? and attempts = ? and status = 'pending'`,
  deliveryDue: `update deliveries set next_attempt_at = @at where id = @id and status = 'pending'`,
  deliveriesRetargeted: `update deliveries set url = @to, next_attempt_at = coalesce(min(next_attempt_at, @at), next_attempt_at)
    where subscription_id = @subscriptionId and status = 'pending' and url = @from`,
  scheduleFired: `insert into schedule_fires (instance_id, condition, last_fired_at) values (@instanceId, @condition, @at)
    on conflict (instance_id, condition) do update set last_fired_at = max(last_fired_at, excluded.last_fired_at)`,
  exhaustedCounted: `insert into subscription_state (subscription_id, secret, consecutive_exhausted, disabled_at, disabled_reason)
    values (@subscriptionId, null, @count, null, null)
    on conflict (subscription_id) do update set consecutive_exhausted = case when @exhausted then consecutive_exhausted + 1 else 0 end`,
  subscriptionDisabled: `insert into subscription_state (subscription_id, secret, consecutive_exhausted, disabled_at, disabled_reason)
    values (@subscriptionId, null, 0, @at, @reason)
    on conflict (subscription_id) do update set disabled_at = excluded.disabled_at, disabled_reason = excluded.disabled_reason, consecutive_exhausted = 0`,
  moduleState: `insert into module_state (system_id, address, driver, state, updated_at) values (?, ?, ?, ?, ?)
    on conflict (system_id, address) do update set driver = excluded.driver, state = excluded.state, updated_at = excluded.updated_at`,
  nodeSeen: `insert into nodes (id, host, pid, url, generation, config_hash, started_at, seen_at, stopped_at, modules)
    values (?, ?, ?, ?, ?, ?, ?, ?, null, ?)
    on conflict (id) do update set url = excluded.url, generation = excluded.generation, config_hash = excluded.config_hash,
      seen_at = excluded.seen_at, modules = coalesce(excluded.modules, nodes.modules)`,
  nodeStopped: 'update nodes set stopped_at = ?, seen_at = ? where id = ?',
  // Every old value read in SET is the row's before this request: whether it fires, and the window it leaves.
  debounce: `insert into debounce_windows (key, last_at, admitted) values (@key, @at, 1)
    on conflict (key) do update set admitted = excluded.last_at - last_at >= @period,
      last_at = case when @hold or excluded.last_at - last_at >= @period then max(last_at, excluded.last_at) else last_at end
    returning admitted`,
  scheduleClaim:
    'insert into schedule_claims (instance_id, condition, due_at, claimed_at) values (?, ?, ?, ?) on conflict do nothing',
  // A claim made a day ago can no longer be contended: each claim takes its schedule's old ones
  // away. Old by due time too, so the delete walks the primary key; a catch-up's claims of
  // old times stay until they were made a day ago (017_claim_times).
  oldClaims: 'delete from schedule_claims where instance_id = ? and condition = ? and due_at < ? and coalesce(claimed_at, 0) < ?',
  // An instance's own window and its per-key ones (keyed `ID\nVALUE`, so between `ID\n` and `ID\v`).
  debounceForgotten: 'delete from debounce_windows where key = ? or (key >= ? and key < ?)',
  // Claimed unless an unexpired claim holds the key; the held claim's run is then read.
  idempotencyClaim: `insert into idempotency_keys (key, run_id, expires_at) values (?, ?, ?)
    on conflict (key) do update set run_id = excluded.run_id, expires_at = excluded.expires_at
    where idempotency_keys.expires_at <= ?`,
  idempotencyHeld: 'select run_id from idempotency_keys where key = ?',
  idempotencyReturned: 'delete from idempotency_keys where key = ? and run_id = ?',
  // GCRA in microseconds: tat is when the limit would be empty again; SET reads the old row, RETURNING the decision.
  rate: `insert into rate_limits (key, tat, retry_us) values (@key, @at + @step, 0)
    on conflict (key) do update set
      retry_us = case when max(tat, @at) - @at <= @burst then 0 else tat - @at - @burst end,
      tat = case when max(tat, @at) - @at <= @burst then max(tat, @at) + @step else tat end
    returning retry_us`,
  // What has expired means nothing any more: an absent row decides the same.
  idempotencyExpired: 'delete from idempotency_keys where expires_at <= ?',
  rateExpired: 'delete from rate_limits where tat <= ?',
  windowsExpired: 'delete from debounce_windows where key >= ? and key < ? and last_at <= ?',
  windowsOverCap: `delete from debounce_windows where key >= @from and key < @to and key not in
    (select key from debounce_windows where key >= @from and key < @to order by last_at desc limit @keep)`,
  overrideSet: `insert into overrides (target, id, field, value, set_at, set_by) values (?, ?, ?, ?, ?, ?)
    on conflict (target, id, field) do update set value = excluded.value, set_at = excluded.set_at, set_by = excluded.set_by`,
  overrideCleared: 'delete from overrides where target = ? and id = ? and field = ?',
  deliveryRequeued: `update deliveries set status = 'pending', next_attempt_at = ?, finished_at = null,
    lease_owner = null, lease_until = null where id = ?`,
  deliveriesRecovered: `update deliveries set status = 'pending', next_attempt_at = ?, finished_at = null
    where status = 'failed' and created_at >= ?`,
  generation: `insert into config_generations (hash, files, overrides, created_at) values (?, ?, ?, ?)
    on conflict (hash) do nothing`,
  generationServed: `insert into config_served (node_id, served_from, hash) values (?, ?, ?)
    on conflict (node_id, served_from) do update set hash = excluded.hash`,
  probe: 'insert into store_probe (pad) values (zeroblob(@bytes))',
} as const;

type Statements = { [K in keyof typeof SQL]: SQLite.Statement };

export class SqliteWriter {
  private readonly sqlite: SQLite.Database;
  private readonly statements: Statements;
  private readonly probeBytes: number;

  constructor(file: string, durability: Durability, maxBytes = 0, { backgroundCheckpoints = false } = {}) {
    this.sqlite = new SQLite(file);
    useWal(this.sqlite, durability);
    this.sqlite.pragma('busy_timeout = 0');
    // A Checkpointer does them off the event loop; no commit then copies the WAL and fsyncs.
    if (backgroundCheckpoints) this.sqlite.pragma('wal_autocheckpoint = 0');
    // A cap on the file's size: past it SQLite answers SQLITE_FULL, as it would on a full disk.
    if (maxBytes > 0) {
      const pageSize = Number(this.sqlite.pragma('page_size', { simple: true }));
      this.sqlite.pragma(`max_page_count = ${Math.max(1, Math.floor(maxBytes / pageSize))}`);
    }
    this.statements = Object.fromEntries(
      Object.entries(SQL).map(([name, text]) => [name, this.sqlite.prepare(text)]),
    ) as Statements;
    // Two pages: a write that needs a new page fails when the database is at its size limit.
    this.probeBytes = 2 * Number(this.sqlite.pragma('page_size', { simple: true }));
  }

  /**
   * Applies every unit in one transaction; throws (and rolls back) if any write fails.
   * Counters are summed over the transaction and written once per instance: a busy
   * instance's hundred fires in one turn are one upsert, not a hundred.
   */
  applyAll(units: readonly (readonly StoreWrite[])[]): Refused {
    return this.sqlite
      .transaction(() => {
        const counters = new WriteCounters();
        let refused: Map<number, Refusal> | undefined;
        for (const [i, unit] of units.entries()) {
          let writes = unit;
          const guarded = guardOf(unit);
          if (guarded) {
            const refusal = this.decide(guarded.guards);
            if (refusal) (refused ??= new Map()).set(i, refusal);
            writes = refusal ? guarded.otherwise(refusal) : unit.slice(1);
          }
          for (const write of writes) if (!counters.add(write)) this.apply(write);
        }
        for (const [instanceId, { count, at }] of counters.fires) this.statements.fireCounted.run({ instanceId, count, at });
        for (const [instanceId, count] of counters.actionErrors) this.statements.actionErrorCounted.run({ instanceId, count });
        return refused;
      })
      .immediate();
  }

  /** Decides the guards in order; the first to refuse decides, and claims made before it are given back. */
  private decide(guards: readonly CommitGuard[]): Refusal | undefined {
    for (const [i, guard] of guards.entries()) {
      const refusal = this.refusal(guard);
      if (!refusal) continue;
      for (const claimed of guards.slice(0, i))
        if (claimed.kind === 'idempotency') this.statements.idempotencyReturned.run(claimed.key, claimed.run);
      return refusal;
    }
    return undefined;
  }

  private refusal(guard: CommitGuard): Refusal | undefined {
    if (guard.kind === 'idempotency') {
      const { key, run, windowMs, at } = guard;
      if (this.statements.idempotencyClaim.run(key, run, at + windowMs, at).changes === 1) return undefined;
      const held = this.statements.idempotencyHeld.get(key) as { run_id: string };
      return { guard: 'idempotency', run: held.run_id };
    }
    if (guard.kind === 'rate') {
      const { stepUs, burstUs } = rateStep(guard.requests, guard.perMs);
      const row = this.statements.rate.get({ key: guard.key, at: guard.at * 1000, step: stepUs, burst: burstUs }) as {
        retry_us: number;
      };
      return row.retry_us > 0 ? { guard: 'rate', retryAfterMs: waitMs(row.retry_us) } : undefined;
    }
    return this.passes(guard) ? undefined : { guard: guard.kind };
  }

  private passes(guard: Exclude<CommitGuard, { kind: 'idempotency' | 'rate' }>): boolean {
    if (guard.kind === 'attempt_fence')
      return guard.deliveries.every((d) => (this.statements.attemptFence.get(d.id, d.attempts) as { n: number }).n === 1);
    if (guard.kind === 'schedule_claim') {
      const { instanceId, condition, at, claimedAt } = guard;
      this.statements.oldClaims.run(instanceId, condition, at - CLAIMS_KEPT_MS, claimedAt - CLAIMS_KEPT_MS);
      return this.statements.scheduleClaim.run(instanceId, condition, at, claimedAt).changes === 1;
    }
    const row = this.statements.debounce.get({
      key: guard.key,
      at: guard.at,
      period: guard.periodMs,
      hold: guard.mode === 'hold' ? 1 : 0,
    }) as { admitted: number };
    return row.admitted === 1;
  }

  /**
   * Whether a write could start now: takes the write lock and allocates two pages, then
   * rolls back, so nothing is kept. Throws the SQLite error when it cannot.
   */
  probe(): void {
    this.sqlite.prepare('begin immediate').run();
    try {
      this.statements.probe.run({ bytes: this.probeBytes });
    } finally {
      if (this.sqlite.inTransaction) this.sqlite.prepare('rollback').run();
    }
  }

  /** SQLite's own checkpoints again, in the commit that crosses 1,000 WAL pages (when the Checkpointer is lost). */
  checkpointInline(): void {
    this.sqlite.pragma('wal_autocheckpoint = 1000');
  }

  close(): void {
    this.sqlite.close();
  }

  private apply(write: StoreWrite): void {
    const s = this.statements;
    switch (write.kind) {
      case 'request': {
        const r = write.row;
        s.request.run(
          r.id,
          r.instance_id,
          r.received_at,
          r.method,
          r.path,
          r.headers,
          r.body,
          r.body_size,
          r.body_truncated,
          r.status,
          r.outcome,
          r.run_id,
          r.latency_ms,
          r.reason,
          r.client_ip,
        );
        return;
      }
      case 'run': {
        const r = write.row;
        s.run.run(
          r.id,
          r.instance_id,
          r.trigger_id,
          r.system_id,
          r.request_id,
          r.created_at,
          r.status,
          r.input,
          r.finished_at,
          r.error,
          write.node ?? null,
          r.trace,
        );
        return;
      }
      case 'run_action':
        s.runAction.run(write.row);
        return;
      case 'fire_counted':
      case 'action_error_counted':
        return; // summed per transaction by applyAll
      case 'conditions_evaluated':
        s.conditionsEvaluated.run({
          instanceId: write.instanceId,
          errors: write.errors,
          triggered: write.triggered ? 1 : 0,
          at: write.at,
        });
        return;
      case 'run_finished':
        s.runFinished.run(
          write.status,
          write.finishedAt,
          write.error,
          write.lastAction ? packAction(write.lastAction, write.finishedAt) : null,
          write.id,
        );
        return;
      case 'event':
        s.event.run(write.row);
        return;
      case 'delivery':
        s.delivery.run(write.row);
        return;
      case 'attempt':
        s.attempt.run(write.row);
        s.deliveryUpdate.run(write.delivery);
        return;
      case 'deliveries_due':
        for (const id of write.ids) s.deliveryDue.run({ id, at: write.at });
        return;
      case 'deliveries_retargeted':
        for (const from of write.from)
          s.deliveriesRetargeted.run({ subscriptionId: write.subscriptionId, from, to: write.to, at: write.at });
        return;
      case 'schedule_fired':
        s.scheduleFired.run({ instanceId: write.instanceId, condition: write.condition, at: write.at });
        return;
      case 'exhausted_counted':
        s.exhaustedCounted.run({
          subscriptionId: write.subscriptionId,
          count: write.exhausted ? 1 : 0,
          exhausted: write.exhausted ? 1 : 0,
        });
        return;
      case 'subscription_disabled':
        s.subscriptionDisabled.run({ subscriptionId: write.subscriptionId, at: write.at, reason: write.reason });
        return;
      case 'module_state': {
        const r = write.row;
        s.moduleState.run(r.system_id, r.address, r.driver, r.state, r.updated_at);
        return;
      }
      case 'node_seen': {
        const r = write.row;
        s.nodeSeen.run(r.id, r.host, r.pid, r.url, r.generation, r.config_hash, r.started_at, r.seen_at, r.modules);
        return;
      }
      case 'node_stopped':
        s.nodeStopped.run(write.at, write.at, write.id);
        return;
      case 'request_answered':
        s.requestAnswered.run(write.status, write.outcome, write.latencyMs, write.id);
        return;
      case 'keys_swept':
        s.idempotencyExpired.run(write.at);
        s.rateExpired.run(write.at * 1000);
        for (const { instanceId, periodMs, keep } of write.windows) {
          const [from, to] = windowRange(instanceId);
          s.windowsExpired.run(from, to, write.at - periodMs);
          s.windowsOverCap.run({ from, to, keep });
        }
        return;
      case 'debounce_forgotten':
        for (const key of write.keys) s.debounceForgotten.run(key, ...windowRange(key));
        return;
      case 'override_set': {
        const r = write.row;
        s.overrideSet.run(r.target, r.id, r.field, r.value, r.set_at, r.set_by);
        return;
      }
      case 'override_cleared':
        s.overrideCleared.run(write.target, write.id, write.field);
        return;
      case 'delivery_requeued':
        s.deliveryRequeued.run(write.at, write.id);
        return;
      case 'deliveries_recovered':
        s.deliveriesRecovered.run(write.at, write.since);
        return;
      case 'generation_served':
        s.generation.run(write.hash, write.files, write.overrides, write.at);
        s.generationServed.run(write.node, write.at, write.hash);
        return;
      case 'guard':
        throw new Error('a guard is only ever first in its unit');
    }
  }
}
