// The process's open-file limit (ulimit -n): a round with many connections needs two
// descriptors per connection here (the load generator's end and the server's end, both in
// this process), so the bench checks it before such a round instead of failing inside it.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The soft limit on open files, Infinity when unlimited, undefined when it cannot be read. */
export function openFilesLimit(): number | undefined {
  try {
    // Linux: the limits of this very process.
    const line = readFileSync('/proc/self/limits', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const soft = line?.split(/\s{2,}/)[1];
    if (soft !== undefined) return soft === 'unlimited' ? Infinity : Number(soft);
  } catch {
    // Not Linux: ask a shell, which inherits this process's limits.
  }
  const shell = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const text = shell.stdout?.trim();
  if (!text) return undefined;
  return text === 'unlimited' ? Infinity : Number(text);
}

/** Descriptors a round of `connections` needs in this process, with room for the rest (SQLite, workers, stdio). */
export function descriptorsNeeded(connections: number): number {
  return 2 * connections + 256;
}
