// The inbound aims, each checked from figures of the same run: ratios are taken within a round
// (the same machine at the same moment) and their median over rounds is what counts. A figure
// from a flagged result never meets an aim; an aim whose yardstick did not run is not evaluated.
import { fmt, n0 } from './format.js';
import {
  perRound,
  reqRatio,
  type HighConnections,
  type Round,
  type StoredBytesPhase,
  type TargetName,
} from './inbound-results.js';
import { median } from './percentile.js';

export const AIMS = {
  /** fire req/s at least this share of the bare server's. */
  fireVsBare: 0.5,
  /** fire req/s at least this many times Node-RED's. */
  fireVsNodeRed: 3,
  /** fire p99 at most this many times the bare server's p99 in the same round. */
  fireP99VsBare: 2.5,
  /** exec req/s at least this share of the bare server's. */
  execVsBare: 0.6,
  /** fire req/s at 1,000 connections at least this share of the best 50-connection round. */
  highVsPeak: 0.8,
  /** Stored bytes per fire (1.6 KB). */
  bytesPerFire: 1638,
} as const;

export interface Aim {
  id: keyof typeof AIMS;
  /** What is aimed at, as printed. */
  label: string;
  /** The figure the aim is checked on (NaN when not evaluated). */
  value: number;
  /** The figure as printed, with the per-round values behind a median. */
  shown: string;
  /** undefined: not evaluated (see `why`). */
  met: boolean | undefined;
  why?: string;
}

/** The autocannon histogram has 1 ms resolution: a p99 under 1 ms counts as 1 ms, so a ratio stays finite. */
const atLeastOneMs = (ms: number) => Math.max(ms, 1);

function flaggedIn(rounds: readonly Round[], targets: readonly TargetName[]): boolean {
  return rounds.some((r) => r.results.some((t) => targets.includes(t.target) && t.flagged));
}

/** A median-of-rounds ratio aim: at least (or at most) `limit`. */
function ratioAim(
  id: Aim['id'],
  label: string,
  rounds: readonly Round[],
  values: number[],
  targets: readonly TargetName[],
  atMost: boolean,
  missing: string,
): Aim {
  const limit = AIMS[id];
  if (values.length === 0) return { id, label, value: NaN, shown: '-', met: undefined, why: missing };
  const value = median(values);
  const shown = `${fmt(value)} x${values.length > 1 ? ` (rounds: ${values.map((v) => fmt(v)).join(', ')})` : ''}`;
  const flagged = flaggedIn(rounds, targets);
  const holds = atMost ? value <= limit : value >= limit;
  return { id, label, value, shown, met: !flagged && holds, ...(flagged ? { why: 'a result behind it is flagged' } : {}) };
}

export function checkAims(
  rounds: readonly Round[],
  high: HighConnections | undefined,
  bytes: StoredBytesPhase | undefined,
): Aim[] {
  const aims: Aim[] = [
    ratioAim(
      'fireVsBare',
      `fire req/s >= ${AIMS.fireVsBare} x bare`,
      rounds,
      perRound(rounds, 'fire', 'bare', reqRatio),
      ['fire', 'bare'],
      false,
      'fire or bare did not run',
    ),
    ratioAim(
      'fireVsNodeRed',
      `fire req/s >= ${AIMS.fireVsNodeRed} x Node-RED`,
      rounds,
      perRound(rounds, 'fire', 'node-red', reqRatio),
      ['fire', 'node-red'],
      false,
      'Node-RED did not run (see the notes)',
    ),
    ratioAim(
      'fireP99VsBare',
      `fire p99 <= ${AIMS.fireP99VsBare} x bare p99 (same round)`,
      rounds,
      perRound(rounds, 'fire', 'bare', (f, b) => atLeastOneMs(f.measured.p99Ms) / atLeastOneMs(b.measured.p99Ms)),
      ['fire', 'bare'],
      true,
      'fire or bare did not run',
    ),
    ratioAim(
      'execVsBare',
      `exec req/s >= ${AIMS.execVsBare} x bare`,
      rounds,
      perRound(rounds, 'exec', 'bare', reqRatio),
      ['exec', 'bare'],
      false,
      'exec did not run (see the notes)',
    ),
  ];

  const highLabel = `fire req/s at ${n0(high?.connections ?? 1000)} connections >= ${AIMS.highVsPeak} x the peak 50-connection fire round`;
  if (!high?.result) {
    aims.push({ id: 'highVsPeak', label: highLabel, value: NaN, shown: '-', met: undefined, why: high?.skipped ?? 'not run' });
  } else {
    const flagged = high.result.flagged || flaggedIn(rounds, ['fire']);
    aims.push({
      id: 'highVsPeak',
      label: highLabel,
      value: high.ratioToPeak,
      shown: `${n0(high.result.measured.reqPerSec)} / ${n0(high.peakFireReqPerSec)} (round ${high.peakRound}) = ${fmt(high.ratioToPeak)} x`,
      met: !flagged && high.ratioToPeak >= AIMS.highVsPeak,
      ...(flagged ? { why: 'a result behind it is flagged' } : {}),
    });
  }

  const bytesLabel = `stored bytes per fire <= ${n0(AIMS.bytesPerFire)}`;
  if (!bytes || bytes.unavailable !== undefined || !Number.isFinite(bytes.bytesPerFire)) {
    aims.push({
      id: 'bytesPerFire',
      label: bytesLabel,
      value: NaN,
      shown: '-',
      met: undefined,
      why: bytes?.unavailable ?? 'not run',
    });
  } else {
    aims.push({
      id: 'bytesPerFire',
      label: bytesLabel,
      value: bytes.bytesPerFire,
      shown: `${n0(bytes.bytesPerFire)} bytes`,
      met: !bytes.flagged && bytes.bytesPerFire <= AIMS.bytesPerFire,
      ...(bytes.flagged ? { why: 'the phase is flagged' } : {}),
    });
  }
  return aims;
}
