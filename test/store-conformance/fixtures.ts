// Rows for the store conformance suite, built from a few fields with plain defaults, so
// each test names only what it is about. Types come from the store's typed writes; nothing
// here knows how a store keeps them.
import type { AttemptRow, DeliveryRow, EventRow, RequestLogRow, RunActionRow, RunRow } from '../../src/store/writes.js';

/** A fixed epoch-millisecond time every test counts from. */
export const T = 1_700_000_000_000;

export function requestRow(id: string, overrides: Partial<RequestLogRow> = {}): RequestLogRow {
  return {
    id,
    instance_id: 'inst-a',
    received_at: T,
    method: 'POST',
    path: '/webhook/inst-a/notify',
    headers: '{"content-type":"application/json"}',
    body: Buffer.from('{"n":1}'),
    body_size: 7,
    body_truncated: 0,
    status: 202,
    outcome: 'fired',
    run_id: null,
    latency_ms: 1.5,
    reason: null,
    client_ip: '192.0.2.10',
    ...overrides,
  };
}

export function runRow(id: string, overrides: Partial<RunRow> = {}): RunRow {
  return {
    id,
    instance_id: 'inst-a',
    trigger_id: 'trigger-1',
    system_id: 'sys-1',
    request_id: null,
    created_at: T,
    status: 'pending',
    input: '{"body":{},"query":{},"headers":{}}',
    finished_at: null,
    error: null,
    trace: null,
    ...overrides,
  };
}

export function actionRow(runId: string, position: number, overrides: Partial<RunActionRow> = {}): RunActionRow {
  return {
    run_id: runId,
    position,
    kind: 'call',
    target: 'Display_1.power',
    status: 'succeeded',
    error: null,
    started_at: T + position * 10,
    finished_at: T + position * 10 + 5,
    detail: null,
    ...overrides,
  };
}

export function eventRow(id: string, overrides: Partial<EventRow> = {}): EventRow {
  return {
    id,
    type: 'trigger.fired',
    created_at: T,
    source: 'inst-a',
    data: `{"event":"${id}"}`,
    ...overrides,
  };
}

export function deliveryRow(id: string, eventId: string, overrides: Partial<DeliveryRow> = {}): DeliveryRow {
  return {
    id,
    event_id: eventId,
    subscription_id: 'sub-1',
    url: 'https://hooks.example/one',
    status: 'pending',
    attempts: 0,
    next_attempt_at: T,
    created_at: T,
    finished_at: null,
    last_status: null,
    last_error: null,
    ...overrides,
  };
}

export function attemptRow(deliveryId: string, attempt: number, overrides: Partial<AttemptRow> = {}): AttemptRow {
  return {
    delivery_id: deliveryId,
    attempt,
    started_at: T + attempt * 1_000,
    latency_ms: 20.25,
    status_code: 200,
    error: null,
    response: 'ok',
    ...overrides,
  };
}

/** The ids of rows, in the order given. */
export function ids(rows: readonly { id: string }[]): string[] {
  return rows.map((row) => row.id);
}

/** How a promise settled: its value, or the error it was rejected with. */
export async function settle<V>(promise: Promise<V>): Promise<{ ok: true; value: V } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}
