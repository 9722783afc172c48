// What the engine's parts report as they work, for metrics: each part calls its own
// method at the moment the thing happens, with ids the config bounds (an instance, trigger
// or subscription the config names; an unknown instance is reported as UNKNOWN_INSTANCE),
// so a caller cannot grow the label space. The Prometheus implementation is
// src/metrics/engine-metrics.ts; parts built without it (tests) report to NO_TELEMETRY.

/** The instance label of a request to an instance the config does not have. */
export const UNKNOWN_INSTANCE = '(unknown)';

/** What became of one delivery attempt, per delivery. */
export type DeliveryResult = 'delivered' | 'retrying' | 'exhausted' | 'gone' | 'skipped';

export interface Telemetry {
  /** A request to a trigger URL was answered: its log outcome (fired, debounced, not_found, …) and how long it took. */
  requestHandled(instance: string, outcome: string, seconds: number): void;
  /** A run ended, `seconds` after it was accepted. */
  runFinished(trigger: string, status: 'succeeded' | 'failed', seconds: number): void;
  /** One action of a run failed. */
  actionFailed(trigger: string): void;
  /** A schedule or `at` time came due; `lagSeconds` after its time (catch-up fires count, their lag does not). */
  scheduleFired(instance: string, cause: 'schedule' | 'catch_up', lagSeconds: number): void;
  /** An attempt's outcome, for each of the `deliveries` it carried. */
  deliveryAttempted(subscription: string, result: DeliveryResult, deliveries: number): void;
}

const ignore = (): void => {};

export const NO_TELEMETRY: Telemetry = {
  requestHandled: ignore,
  runFinished: ignore,
  actionFailed: ignore,
  scheduleFired: ignore,
  deliveryAttempted: ignore,
};
