// A run's last action outcome as its row keeps it: a JSON array in a fixed order, without
// the run's id (the row is the run) or key names, since every fire stores one.
import type { RunActionRow } from './writes.js';

type Packed = [
  position: number,
  kind: string,
  target: string,
  status: RunActionRow['status'],
  error: string | null,
  startedAt: number,
  finishedAt: number,
];

export function packAction(action: RunActionRow): string {
  const packed: Packed = [
    action.position,
    action.kind,
    action.target,
    action.status,
    action.error,
    action.started_at,
    action.finished_at,
  ];
  return JSON.stringify(packed);
}

export function unpackAction(runId: string, text: string): RunActionRow {
  const [position, kind, target, status, error, started_at, finished_at] = JSON.parse(text) as Packed;
  return { run_id: runId, position, kind, target, status, error, started_at, finished_at };
}
