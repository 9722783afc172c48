// The typed writes a unit of work holds. Callers build them and hand a list to the
// store's `commit`, which applies the list atomically (grouped with other lists of the
// same turn); no SQL, handle or writer closure crosses the store's edge.
import type {
  DeliveriesTable,
  DeliveryAttemptsTable,
  EventsTable,
  ModuleStateTable,
  NodesTable,
  OverridesTable,
  RequestLogTable,
  RunActionsTable,
  RunsTable,
  RunStatus,
} from './tables.js';

export type RequestLogRow = RequestLogTable;
/** A run as stored and read; its last action is read through RunsRepo.actions. */
export type RunRow = Omit<RunsTable, 'last_action' | 'node_id'>;
export type RunActionRow = Omit<RunActionsTable, 'seq'>;
export type EventRow = EventsTable;
export type ModuleStateRow = ModuleStateTable;
export type NodeRow = NodesTable;
export type OverrideRow = OverridesTable;
/** A delivery as written and read; its lease is the outbox's own business (OutboxRepo.claim). */
export type DeliveryRow = Omit<DeliveriesTable, 'lease_owner' | 'lease_until'>;
export type AttemptRow = Omit<DeliveryAttemptsTable, 'seq'>;
export type DeliveryUpdate = Pick<
  DeliveryRow,
  'id' | 'status' | 'attempts' | 'next_attempt_at' | 'finished_at' | 'last_status' | 'last_error'
>;

/**
 * What a unit's writes commit under, decided inside the same transaction by the database
 * (so every node sharing it gets the same answer): a debounce window that admits the
 * request, or a schedule time not claimed by another node. `at` is the engine's clock;
 * on PostgreSQL the server's clock decides windows instead (one clock for every node).
 */
export type CommitGuard =
  | { kind: 'debounce'; key: string; periodMs: number; mode: 'hold' | 'throttle'; at: number }
  /**
   * A sender's idempotency key, claimed for `run` until `windowMs` after `at` unless an
   * unexpired claim holds it (the refusal then names that claim's run). A claim is kept only
   * when the unit commits: a later guard of the same unit refusing gives it back.
   */
  | { kind: 'idempotency'; key: string; run: string; windowMs: number; at: number }
  /** One request against a rate limit of `requests` per `perMs` (GCRA: a burst of `requests`, then one per perMs/requests). */
  | { kind: 'rate'; key: string; requests: number; perMs: number; at: number }
  /** `at` is the due time; `claimedAt` the engine's clock now, from which the claim is kept CLAIMS_KEPT_MS. */
  | { kind: 'schedule_claim'; instanceId: string; condition: number; at: number; claimedAt: number }
  /** Each delivery still pending at the attempt count its attempt began with: a late node cannot record over a newer attempt. */
  | { kind: 'attempt_fence'; deliveries: readonly { id: string; attempts: number }[] };

/** Why a guard refused a unit: which guard, and what the caller is told. */
export interface Refusal {
  guard: CommitGuard['kind'];
  /** An idempotency key's first run. */
  run?: string;
  /** A rate limit's wait until another request is admitted. */
  retryAfterMs?: number;
}

/**
 * How long a claimed schedule time is kept, from when it was claimed and from its due time:
 * far longer than any two nodes' clocks differ, or than nodes catching up together take.
 */
export const CLAIMS_KEPT_MS = 86_400_000;

export type StoreWrite =
  /**
   * First in its unit: its guards are decided in order; when one refuses, the unit's other
   * writes are dropped and `otherwise(refusal)` applied instead.
   */
  | { kind: 'guard'; guards: readonly CommitGuard[]; otherwise(refusal: Refusal): readonly StoreWrite[] }
  /** These debounce windows start afresh (their instances changed or went away), with their per-key windows. */
  | { kind: 'debounce_forgotten'; keys: readonly string[] }
  /**
   * Expired idempotency keys and rate-limit states go; per-key debounce windows older than
   * their period go, and past `keep` per instance the oldest go too.
   */
  | {
      kind: 'keys_swept';
      at: number;
      windows: readonly { instanceId: string; periodMs: number; keep: number }[];
    }
  | { kind: 'request'; row: RequestLogRow }
  /** A request answered later than its row was written (`respond: wait`): what the caller got in the end. */
  | { kind: 'request_answered'; id: string; status: number; outcome: string; latencyMs: number }
  /** A run, owned by the node that fired it (`node`: the one that resumes it unless that node dies). */
  | { kind: 'run'; row: RunRow; node?: string }
  /** Counts a fire of the instance and remembers when it was. */
  | { kind: 'fire_counted'; instanceId: string; at: number }
  | { kind: 'run_action'; row: RunActionRow }
  /** One more failed action for the instance. */
  | { kind: 'action_error_counted'; instanceId: string }
  /** Its conditions were evaluated: whether they hold, and how many comparisons could not be made. */
  | { kind: 'conditions_evaluated'; instanceId: string; triggered: boolean; errors: number; at: number }
  /** The run's end, with its last action's outcome (one write for both). */
  | {
      kind: 'run_finished';
      id: string;
      status: Exclude<RunStatus, 'pending'>;
      finishedAt: number;
      error: string | null;
      lastAction?: RunActionRow;
    }
  | { kind: 'event'; row: EventRow }
  | { kind: 'delivery'; row: DeliveryRow }
  /** An attempt and the state its delivery is left in. */
  | { kind: 'attempt'; row: AttemptRow; delivery: DeliveryUpdate }
  /** Pending deliveries made due at once (a full batch). */
  | { kind: 'deliveries_due'; ids: readonly string[]; at: number }
  /** A subscription's pending deliveries to any url in `from` go to `to` instead, due by `at` at the latest (null: on their schedule). */
  | { kind: 'deliveries_retargeted'; subscriptionId: string; from: readonly string[]; to: string; at: number | null }
  | { kind: 'schedule_fired'; instanceId: string; condition: number; at: number }
  /** One more exhausted delivery in a row for the subscription, or (false) the count back to 0. */
  | { kind: 'exhausted_counted'; subscriptionId: string; exhausted: boolean }
  /** Disabled since `at` with a reason, or enabled again (at null). */
  | { kind: 'subscription_disabled'; subscriptionId: string; at: number | null; reason: string | null }
  /** A module's state as it is now (replacing what was kept). */
  | { kind: 'module_state'; row: ModuleStateRow }
  /** A node's heartbeat: its row as it is now (started, or seen again). */
  /** With `modules` null, the row keeps the diagnostics it has. */
  | { kind: 'node_seen'; row: Omit<NodeRow, 'stopped_at'> }
  | { kind: 'node_stopped'; id: string; at: number }
  /** An operator's change on top of the YAML, set (or replaced). */
  | { kind: 'override_set'; row: OverrideRow }
  | { kind: 'override_cleared'; target: string; id: string; field: string }
  /** One delivery queued again, whatever its state (an operator's redeliver); its event id stays. */
  | { kind: 'delivery_requeued'; id: string; at: number }
  /** Every failed delivery created since `since` queued again (an operator's recover). */
  | { kind: 'deliveries_recovered'; since: number; at: number }
  /** A node began serving a config generation (kept once per hash, with its files as written). */
  | { kind: 'generation_served'; hash: string; files: string; overrides: string; node: string; at: number };

/** The store's one way in for writes: a list of writes that commit together, or not at all. */
export interface UnitOfWork {
  /**
   * Resolves once every write of the list is durable: to undefined, or to the refusal when
   * the list began with guards one of which refused it (its `otherwise` writes are what was
   * committed). Rejects with StoreUnavailable on a storage fault.
   */
  commit(writes: readonly StoreWrite[]): Promise<Refusal | undefined>;
}

/** The guard a unit begins with, if any. */
export function guardOf(unit: readonly StoreWrite[]): Extract<StoreWrite, { kind: 'guard' }> | undefined {
  const first = unit[0];
  return first?.kind === 'guard' ? first : undefined;
}

/** The key of a per-key debounce window: its instance's, then the value (instance ids hold no newline). */
export function windowKey(instanceId: string, value: string | undefined): string {
  return value === undefined ? instanceId : `${instanceId}\n${value}`;
}
