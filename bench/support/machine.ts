// The machine a bench runs on (Node version, CPU model, cores, load average), for its JSON and its printed lines.
import { cpus, loadavg } from 'node:os';

export interface Machine {
  node: string;
  cpuModel: string;
  cores: number;
  /** The 1-minute load average at start, 2 decimals. */
  loadavg1m: number;
}

export function describeMachine(): Machine {
  const cpu = cpus();
  return {
    node: process.version,
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    loadavg1m: loadNow(),
  };
}

/** The 1-minute load average now, 2 decimals (what else the machine was doing as a round started). */
export function loadNow(): number {
  return Number(loadavg()[0]!.toFixed(2));
}

/** The short form logged to stderr as a bench starts. */
export function machineNote(m: Machine): string {
  return `node ${m.node}, ${m.cpuModel} x${m.cores}, load ${m.loadavg1m}`;
}

/** The report's first line. */
export function machineHeader(m: Machine): string {
  return `Node ${m.node} | CPU ${m.cpuModel} | ${m.cores} cores | load avg (1m) at start ${m.loadavg1m}`;
}
