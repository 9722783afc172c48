// CPU the bench did not use itself while it measured: the whole machine's busy time
// (/proc/stat, steal included) minus this process's (every thread) and its own children's
// (Node-RED). The load average cannot say this, since it counts the bench's own busy threads;
// on a shared machine this is the figure that tells a disturbed run from a slow target.
import { readFileSync } from 'node:fs';

/** Linux's USER_HZ: /proc reports CPU time in hundredths of a second on every platform Node runs on. */
const TICKS_PER_SECOND = 100;

const ownChildren = new Set<number>();

/** A child process of the bench (Node-RED) whose CPU is the bench's, not another's. */
export function countAsOwn(pid: number): void {
  ownChildren.add(pid);
}

/** utime + stime of a process (all its threads), in ticks; 0 when it is gone. */
export function processTicks(pid: number | 'self'): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces: the fields are counted from after its closing ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** The machine's busy ticks over all cores: user, nice, system, irq, softirq and steal. */
function machineTicks(): number {
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return user! + nice! + system! + irq! + softirq! + (steal ?? 0);
}

function sample(): { machine: number; own: number; at: number } | undefined {
  try {
    let own = processTicks('self');
    for (const pid of ownChildren) own += processTicks(pid);
    return { machine: machineTicks(), own, at: performance.now() };
  } catch {
    return undefined; // not Linux
  }
}

/** Starts a measurement; the function it returns gives the others' CPU since, in cores (0.5 = half a core), NaN off Linux. */
export function otherCpu(): () => number {
  const start = sample();
  return () => {
    const end = sample();
    if (!start || !end) return NaN;
    const seconds = (end.at - start.at) / 1000;
    const others = end.machine - start.machine - (end.own - start.own);
    return seconds > 0 ? Math.max(0, others / TICKS_PER_SECOND / seconds) : NaN;
  };
}
