// The inbound bench's printed report: one table per round (with the load average it started
// at, so a noisy round can be told from a slow target), the medians across rounds, the
// 1,000-connection round, the stored bytes per fire, and each aim as met / NOT met.
import type { Aim } from './inbound-aims.js';
import type { HighConnections, Round, StoredBytesPhase, TargetResult, TargetSummary } from './inbound-results.js';
import { resultOf } from './inbound-results.js';
import { fmt, n0 } from './format.js';
import { median } from './percentile.js';
import { table } from './table.js';

/** autocannon's latency histogram counts whole milliseconds. */
export function ms(n: number): string {
  return !Number.isFinite(n) ? '-' : n < 1 ? '<1' : n.toFixed(n % 1 === 0 ? 0 : 1);
}

/** Decimal megabytes, like the byte counts beside them. */
function mb(bytes: number): string {
  return `${fmt(bytes / 1e6, 1)} MB`;
}

function roundTable(round: Round): string {
  const bare = resultOf(round, 'bare');
  const rows = [
    ['target', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'x bare', 'loop busy', 'µs/req', 'load', 'others', ''],
  ];
  for (const r of round.results) {
    // Node-RED runs in its own process: this process's event loop says nothing about it.
    const inProcess = r.target !== 'node-red';
    rows.push([
      r.target,
      n0(r.measured.reqPerSec),
      ms(r.measured.p50Ms),
      ms(r.measured.p99Ms),
      String(r.measured.non2xx + r.warmup.non2xx),
      String(r.measured.errors + r.warmup.errors + r.measured.mismatches + r.warmup.mismatches),
      bare ? fmt(r.measured.reqPerSec / bare.measured.reqPerSec) : '-',
      inProcess ? `${fmt(r.measured.loopBusy * 100, 0)}%` : '-',
      inProcess ? fmt(r.measured.busyUsPerRequest, 0) : '-',
      fmt(r.loadavg1m),
      others(r.measured.othersCpu),
      r.flagged ? 'FLAGGED' : '',
    ]);
  }
  return table(rows);
}

/** Other processes' CPU in % of one core. */
function others(cores: number): string {
  return Number.isFinite(cores) ? `${fmt(cores * 100, 0)}%` : '-';
}

function summaryTable(summary: readonly TargetSummary[], withNodeRed: boolean): string {
  const rows = [
    ['target', 'req/s (median)', 'min–max', 'p50 ms', 'p99 ms', 'x bare', ...(withNodeRed ? ['x Node-RED'] : []), ''],
  ];
  for (const s of summary) {
    rows.push([
      s.target,
      n0(s.reqPerSec.median),
      `${n0(s.reqPerSec.min)}–${n0(s.reqPerSec.max)}`,
      ms(s.p50Ms),
      ms(s.p99Ms),
      fmt(s.xBare),
      ...(withNodeRed ? [fmt(s.xNodeRed)] : []),
      s.flaggedRounds > 0 ? `FLAGGED in ${s.flaggedRounds}` : '',
    ]);
  }
  return table(rows);
}

/** How much other processes took during the rounds: the figures are only as good as this is low. */
function disturbance(rounds: readonly Round[]): string[] {
  const runs = rounds.flatMap((round) => round.results.map((r) => ({ round: round.round, r })));
  const measured = runs.filter((x) => Number.isFinite(x.r.measured.othersCpu));
  if (measured.length === 0) return ['(CPU of other processes not measured: needs Linux /proc)'];
  const worst = measured.reduce((a, b) => (b.r.measured.othersCpu > a.r.measured.othersCpu ? b : a));
  const mid = median(measured.map((x) => x.r.measured.othersCpu));
  return [
    `other processes took a median of ${others(mid)} of one core during the measured runs` +
      ` (most: ${others(worst.r.measured.othersCpu)}, round ${worst.round} ${worst.r.target})`,
  ];
}

function highLines(high: HighConnections): string[] {
  const limit = high.openFilesLimit === null ? 'unknown' : String(high.openFilesLimit);
  const head = `fire at ${n0(high.connections)} connections (ulimit -n ${limit}, about ${n0(high.descriptorsNeeded)} needed):`;
  if (!high.result) return [`${head} SKIPPED: ${high.skipped ?? 'not run'}`];
  const line = (r: TargetResult) => {
    const m = r.measured;
    return (
      `${n0(m.reqPerSec)} req/s, p50 ${ms(m.p50Ms)} ms, p99 ${ms(m.p99Ms)} ms, max ${ms(Math.max(m.maxMs, r.warmup.maxMs))} ms,` +
      ` non-2xx ${m.non2xx + r.warmup.non2xx}, errors ${m.errors + r.warmup.errors} (timeouts ${m.timeouts + r.warmup.timeouts}),` +
      ` load ${fmt(r.loadavg1m)}, others ${others(m.othersCpu)}`
    );
  };
  return [
    `${head} ${line(high.result)}`,
    ...(high.bare
      ? [
          `  bare node:http at as many connections, just before: ${line(high.bare)};` +
            ` ${fmt(high.bareRatioToPeak ?? NaN)} x its best 50-connection round`,
        ]
      : []),
    ...(high.timeoutsExcused
      ? [
          '  the bare server left requests waiting seconds too (node:http does at this many connections; bench/README.md, "Stragglers"): timeouts are reported, not flagged',
        ]
      : []),
    `  against the peak fire round at 50 connections (round ${high.peakRound}, ${n0(high.peakFireReqPerSec)} req/s): ${fmt(high.ratioToPeak)} x`,
    high.listenOverflows === null
      ? '  accept-queue overflows: not measured (needs Linux /proc/net/netstat)'
      : `  accept-queue overflows during the round (TcpExt ListenOverflows, warm-up included): ${n0(high.listenOverflows)}` +
        (high.listenOverflows > 0
          ? ' (handshakes dropped: those clients waited for retransmits; the listen backlog is too small)'
          : ''),
  ];
}

function bytesLines(b: StoredBytesPhase): string[] {
  const out = [
    `stored bytes per fire: ${n0(b.requests)} fires with a ${n0(b.bodyBytes)}-byte JSON body on a fresh data dir,` +
      ` at ${n0(b.reqPerSec)} req/s (others ${others(b.othersCpu)});` +
      ` ${n0(b.runsSucceeded)} runs succeeded, ${n0(b.requestsLogged)} requests logged`,
  ];
  if (b.unavailable !== undefined || !b.stored) {
    out.push(`  bytes not read: ${b.unavailable ?? 'unknown reason'}`);
  } else {
    const s = b.stored;
    out.push(
      `  pages in use (dbstat): ${n0(s.total)} bytes = ${n0(b.bytesPerFire)} bytes per fire` +
        ` (fresh database ${n0(b.freshBytes)} bytes; growth ${n0(b.growthPerFire)} per fire; page ${s.pageSize} B, ${n0(s.freePages)} free pages)`,
    );
    const top = s.objects
      .slice(0, 6)
      .map((o) => `${o.name} ${n0(o.bytes / b.requests)}`)
      .join(', ');
    out.push(`  bytes per fire by table/index: ${top}`);
  }
  out.push(
    `  on disk after the runs finished: file ${mb(b.running.fileBytes)}, WAL ${mb(b.running.walBytes)};` +
      ` after the engine stopped: file ${mb(b.stopped.fileBytes)}, WAL ${mb(b.stopped.walBytes)}`,
  );
  return out;
}

function aimLine(aim: Aim): string {
  const verdict = aim.met === undefined ? 'not evaluated' : aim.met ? 'met' : 'NOT met';
  return `aim: ${aim.label}: ${aim.shown} -> ${verdict}${aim.why ? ` (${aim.why})` : ''}`;
}

export interface Report {
  header: string;
  load: string;
  rounds: readonly Round[];
  summary: readonly TargetSummary[];
  high?: HighConnections;
  bytes?: StoredBytesPhase;
  aims: readonly Aim[];
  extra: readonly TargetResult[];
  skipped: readonly { target: string; reason: string }[];
  notes: readonly string[];
  elapsedSeconds: number;
}

export function formatReport(r: Report): string {
  const out: string[] = ['', r.header, r.load, ''];
  for (const round of r.rounds) {
    out.push(`round ${round.round}/${r.rounds.length} (load avg 1m at start ${fmt(round.loadavg1m)})`);
    out.push(roundTable(round), '');
  }
  out.push(
    '(latency has 1 ms resolution; non-2xx and errors include the warm-up; errors = connection errors + timeouts + unexpected bodies;',
    " loop busy = this process's main-thread event loop utilisation, µs/req = its busy time per request (the engine, bare and Koa run",
    " in it; Node-RED is a child process); load = 1-minute load average as the target started (the bench's own busy threads count);",
    ' others = CPU that other processes and the hypervisor took during the measured run, in % of one core: high means a disturbed run)',
    '',
    `summary over ${r.rounds.length} round${r.rounds.length === 1 ? '' : 's'} (medians; x bare and x Node-RED are medians of same-round ratios)`,
    summaryTable(
      r.summary,
      r.summary.some((s) => s.target === 'node-red'),
    ),
    '',
  );
  out.push(...disturbance(r.rounds), '');
  if (r.high) out.push(...highLines(r.high), '');
  if (r.bytes) out.push(...bytesLines(r.bytes), '');
  for (const aim of r.aims) out.push(aimLine(aim));
  const all = [...r.rounds.flatMap((x) => x.results), ...r.extra];
  for (const t of all) for (const p of t.problems) out.push(`FLAGGED ${t.target} (${t.connections} connections): ${p}`);
  if (r.bytes) for (const p of r.bytes.problems) out.push(`FLAGGED stored bytes: ${p}`);
  for (const s of r.skipped) out.push(`SKIPPED ${s.target}: ${s.reason}`);
  for (const n of r.notes) out.push(`note: ${n}`);
  out.push(`(the whole run took ${fmt(r.elapsedSeconds / 60, 1)} min)`);
  return out.join('\n');
}
