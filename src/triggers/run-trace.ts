// What a run records of why it started, beyond its row (which already says which request
// fired it, when, and for which instance): the cause when it is not a request, its compare
// conditions' values at that moment, and a replay's origin. Kept as JSON in the run's
// `trace` column, and only when there is something to say: a plain webhook fire stores none.
import { redact } from '../redact.js';
import type { ActionDetail } from './actions/action-runner.js';
import type { ConditionNow } from './conditions/condition-watcher.js';

/** What made an instance fire: a request, a schedule (or one missed while down), its conditions' edge, an operator's test fire or replay. */
export type FireCause = 'webhook' | 'schedule' | 'conditions' | 'catch_up' | 'test' | 'replay';

export interface RunTrace {
  cause?: Exclude<FireCause, 'webhook'>;
  /** The compare conditions as they stood when it fired. */
  conditions?: ConditionNow[];
  /** A replay of a logged request: which, and under which config. */
  replay?: { request: string; config: 'original' | 'current' };
  /** The config generation whose trigger it ran, when not the one serving at its start (a replay with the original config). */
  generation?: string;
  /** Its trigger.fired event, when a subscription listens for it (the event is kept only then). */
  fired?: string;
}

/** The trace as its column keeps it, or null when it says nothing. */
export function traceColumn(trace: RunTrace): string | null {
  const kept = Object.fromEntries(Object.entries(trace).filter(([, value]) => value !== undefined));
  return Object.keys(kept).length === 0 ? null : JSON.stringify(kept);
}

export function parseTrace(column: string | null): RunTrace {
  return parseColumn<RunTrace>(column);
}

/** A JSON column read back; nothing (an empty object) when it is null or does not parse. */
function parseColumn<T extends object>(column: string | null): T {
  if (column === null) return {} as T;
  try {
    return JSON.parse(column) as T;
  } catch {
    return {} as T;
  }
}

/** Only when the trigger has compare conditions: the values they read. */
export function conditionsTrace(conditions: readonly ConditionNow[]): Pick<RunTrace, 'conditions'> {
  return conditions.length === 0 ? {} : { conditions: [...conditions] };
}

/** The most of a module's result a trace keeps, as JSON; a larger one is noted by its size. */
export const MAX_RESULT_CHARS = 2_048;

/** An action's detail as run_actions.detail keeps it: secret-looking values redacted, a large result cut; null when empty. */
export function detailColumn(detail: ActionDetail | undefined): string | null {
  if (!detail) return null;
  const kept: ActionDetail = {};
  if (detail.args !== undefined) kept.args = redact(detail.args);
  if (detail.result !== undefined) {
    const text = safeJson(redact(detail.result));
    kept.result =
      text === undefined
        ? '[not JSON]'
        : text.length > MAX_RESULT_CHARS
          ? { truncated: true, chars: text.length }
          : JSON.parse(text);
  }
  if (detail.event !== undefined) kept.event = detail.event;
  return Object.keys(kept).length === 0 ? null : JSON.stringify(kept);
}

export function parseDetail(column: string | null): ActionDetail {
  return parseColumn<ActionDetail>(column);
}

function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}
