// The database's tables as Kysely sees them; migrations/ creates them.
import type { Generated } from 'kysely';

export interface InstanceSecretsTable {
  instance_id: string;
  secret: string;
  created_at: number;
}

export interface InstanceStatsTable {
  instance_id: string;
  trigger_count: number;
  last_fired_at: number | null;
  action_errors: Generated<number>;
  comparison_errors: Generated<number>;
  /** 1 or 0: whether its conditions held when last evaluated; null without conditions. */
  triggered: number | null;
  triggered_at: number | null;
}

export interface RequestLogTable {
  id: string;
  instance_id: string;
  received_at: number;
  method: string;
  /** The path with any secret replaced, and the query without the secret. */
  path: string;
  headers: string;
  body: Buffer | null;
  body_size: number;
  body_truncated: number;
  status: number;
  outcome: string;
  run_id: string | null;
  latency_ms: number;
  /** Why it was refused or not fired, for the operator (never shown to the caller of a 404). */
  reason: string | null;
  /** The caller's address (the real one behind a trusted proxy). */
  client_ip: string | null;
}

/** A run is pending until its last action is recorded; run_actions says how far it got. */
export type RunStatus = 'pending' | 'succeeded' | 'failed';

export interface RunsTable {
  id: string;
  instance_id: string;
  trigger_id: string;
  system_id: string;
  request_id: string | null;
  created_at: number;
  status: RunStatus;
  /** The request data templates read (body, query, headers), as JSON. */
  input: string;
  finished_at: number | null;
  error: string | null;
  /** The last action's outcome (a RunActionRow as JSON), recorded with the run's end instead of a run_actions row. */
  last_action: string | null;
  /** The node that runs it: the one that fired it, or took it over when that node died. */
  node_id: string | null;
  /** Why it started, when that is more than a request (a RunTrace as JSON); null for a plain webhook fire. */
  trace: string | null;
}

export interface RunActionsTable {
  run_id: string;
  position: number;
  kind: string;
  target: string;
  status: 'succeeded' | 'failed';
  error: string | null;
  started_at: number;
  finished_at: number;
  seq: Generated<number>;
  /** Its resolved arguments when templated, its result, the event it emitted (JSON); null when none. */
  detail: string | null;
}

export interface EventsTable {
  id: string;
  type: string;
  created_at: number;
  source: string;
  data: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface DeliveriesTable {
  id: string;
  event_id: string;
  subscription_id: string;
  url: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  created_at: number;
  finished_at: number | null;
  last_status: number | null;
  last_error: string | null;
  /** The node attempting it now, until `lease_until` (PostgreSQL; null when nobody is). */
  lease_owner: string | null;
  lease_until: number | null;
}

export interface DeliveryAttemptsTable {
  seq: Generated<number>;
  delivery_id: string;
  attempt: number;
  started_at: number;
  latency_ms: number;
  status_code: number | null;
  error: string | null;
  response: string | null;
}

export interface SubscriptionStateTable {
  subscription_id: string;
  secret: string | null;
  consecutive_exhausted: number;
  disabled_at: number | null;
  disabled_reason: string | null;
}

export interface ScheduleFiresTable {
  instance_id: string;
  condition: number;
  last_fired_at: number;
}

export interface ModuleStateTable {
  system_id: string;
  address: string;
  driver: string;
  /** The state's keys as JSON, each within the bound events use (larger ones are not kept). */
  state: string;
  updated_at: number;
}

export interface NodesTable {
  id: string;
  host: string;
  pid: number;
  /** Where its listener answers. */
  url: string;
  /** The config generation it serves, and that config's hash. */
  generation: number;
  config_hash: string;
  started_at: number;
  /** Its last heartbeat. */
  seen_at: number;
  stopped_at: number | null;
  /** Its modules as of its last heartbeat (JSON: ModuleDiagnostics[]); null before 019. */
  modules: string | null;
}

export interface IdempotencyKeysTable {
  /** The instance and the sender's key (`INSTANCE\nKEY`). */
  key: string;
  /** The run the key's first request fired: a duplicate's answer names it. */
  run_id: string;
  expires_at: number;
}

export interface RateLimitsTable {
  /** The instance, or with `rate_key` the instance and the key's value. */
  key: string;
  /** GCRA's theoretical arrival time in microseconds: when the limit is empty again. */
  tat: number;
  /** The last request's wait in microseconds before another is admitted (0: it was admitted). */
  retry_us: number;
}

export interface DebounceWindowsTable {
  /** The instance, or with `debounce_key` the instance and the key's value (`INSTANCE\nVALUE`). */
  key: string;
  /** When the window was last (re)started: its last fire, or with `hold` its last request. */
  last_at: number;
  /** Whether the last request through it fired (1) or was debounced (0). */
  admitted: number;
}

export interface ScheduleClaimsTable {
  instance_id: string;
  condition: number;
  /** The due time one node claimed and fired. */
  due_at: number;
  /** When the claim was made (null for claims made before 017): it is kept a day from then. */
  claimed_at: number | null;
}

export interface ModuleLeasesTable {
  /** `system/Address`. */
  module: string;
  node_id: string;
  /** Raised each time the module changes hands. */
  epoch: number;
  /** Real time (ms) the lease runs to unless renewed. */
  lease_until: number;
}

export interface ClusterSettingsTable {
  name: string;
  value: string;
}

/** A field an operator changed at run time, on top of what the YAML says. */
export interface OverridesTable {
  /** What kind of thing it changes: `instance`. */
  target: string;
  /** Which one: the instance's id. */
  id: string;
  /** Which field: `enabled`. */
  field: string;
  /** The value, as JSON. */
  value: string;
  set_at: number;
  /** Who set it: an admin token's name, or `cli`. */
  set_by: string;
}

/** A config generation as it was written: its YAML files before ${ENV} expansion, and the overrides applied. */
export interface ConfigGenerationsTable {
  hash: string;
  /** `{ "file.yaml": "text" }` as JSON. */
  files: string;
  /** The override rows applied, as JSON. */
  overrides: string;
  created_at: number;
}

/** When a node began serving a generation. */
export interface ConfigServedTable {
  node_id: string;
  served_from: number;
  hash: string;
}

export interface StoreProbeTable {
  pad: Buffer | null;
}

export interface Tables {
  instance_secrets: InstanceSecretsTable;
  instance_stats: InstanceStatsTable;
  request_log: RequestLogTable;
  runs: RunsTable;
  run_actions: RunActionsTable;
  events: EventsTable;
  deliveries: DeliveriesTable;
  delivery_attempts: DeliveryAttemptsTable;
  subscription_state: SubscriptionStateTable;
  schedule_fires: ScheduleFiresTable;
  module_state: ModuleStateTable;
  nodes: NodesTable;
  debounce_windows: DebounceWindowsTable;
  idempotency_keys: IdempotencyKeysTable;
  rate_limits: RateLimitsTable;
  schedule_claims: ScheduleClaimsTable;
  module_leases: ModuleLeasesTable;
  cluster_settings: ClusterSettingsTable;
  overrides: OverridesTable;
  config_generations: ConfigGenerationsTable;
  config_served: ConfigServedTable;
  store_probe: StoreProbeTable;
}
