// The engine's own write set for one fire, and nothing else: the request-log row and the
// run row committed together (grouped per event-loop turn, as the engine's WriteBatcher
// does), then the run's end. Applied by the engine's SqliteWriter, on the main thread or
// in a worker thread (ceiling-writer-worker.ts), so the ceiling prototype stores exactly
// what a fire stores.
import type { IncomingHttpHeaders } from 'node:http';
import type { StoreWrite } from '../../src/store/writes.js';

export function fireWrites(
  ids: { request: string; run: string },
  instanceId: string,
  headers: IncomingHttpHeaders,
  body: Buffer,
  at: number,
): StoreWrite[] {
  return [
    {
      kind: 'request',
      row: {
        id: ids.request,
        instance_id: instanceId,
        received_at: at,
        method: 'POST',
        path: `/webhook/${instanceId}/notify`,
        headers: JSON.stringify(headers),
        body,
        body_size: body.length,
        body_truncated: 0,
        status: 202,
        outcome: 'fired',
        run_id: ids.run,
        latency_ms: 0,
        reason: null,
        client_ip: '127.0.0.1',
      },
    },
    {
      kind: 'run',
      row: {
        id: ids.run,
        instance_id: instanceId,
        trigger_id: 'bench-fire',
        system_id: 'sys-bench',
        request_id: ids.request,
        created_at: at,
        status: 'pending',
        input: '{}',
        finished_at: null,
        error: null,
        trace: null,
      },
    },
    { kind: 'fire_counted', instanceId, at },
  ];
}

export function runEndWrites(runId: string, at: number): StoreWrite[] {
  return [
    {
      kind: 'run_finished',
      id: runId,
      status: 'succeeded',
      finishedAt: at,
      error: null,
      lastAction: {
        run_id: runId,
        position: 0,
        kind: 'call',
        target: 'Display_1.power',
        status: 'succeeded',
        error: null,
        detail: null,
        started_at: at,
        finished_at: at,
      },
    },
  ];
}
