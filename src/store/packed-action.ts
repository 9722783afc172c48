// A run's last action outcome as its row keeps it: a JSON array in a fixed order, without
// the run's id (the row is the run) or key names, since every fire stores one; its times
// are offsets from the run's end (0 and a few ms, instead of two 13-digit timestamps).
import type { RunActionRow } from './writes.js';

type Packed = [
  position: number,
  kind: string,
  target: string,
  status: RunActionRow['status'],
  error: string | null,
  /** started_at minus the run's finished_at. */
  startedOffset: number,
  /** finished_at minus the run's finished_at: 0 when this action ended the run. */
  finishedOffset: number,
  /** Its detail (resolved arguments, result, event), only when it has one. */
  detail?: string,
];

export function packAction(action: RunActionRow, runFinishedAt: number): string {
  const packed: Packed = [
    action.position,
    action.kind,
    action.target,
    action.status,
    action.error,
    action.started_at - runFinishedAt,
    action.finished_at - runFinishedAt,
  ];
  if (action.detail !== null) packed.push(action.detail);
  return JSON.stringify(packed);
}

export function unpackAction(runId: string, runFinishedAt: number, text: string): RunActionRow {
  const [position, kind, target, status, error, startedOffset, finishedOffset, detail] = JSON.parse(text) as Packed;
  return {
    run_id: runId,
    position,
    kind,
    target,
    status,
    error,
    started_at: runFinishedAt + startedOffset,
    finished_at: runFinishedAt + finishedOffset,
    detail: detail ?? null,
  };
}
