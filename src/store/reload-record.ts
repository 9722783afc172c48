// What the engine of a data directory made of its last config reload, written after each
// one, so `switchboard reload` (another process, which only sent SIGHUP) can print the
// outcome and every problem, and exit 1 when it was not applied. Read only while the
// process that wrote it is alive.
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const RELOAD_FILE = 'switchboard.reload.json';

export interface ReloadRecord {
  pid: number;
  /** Counts this process's reloads from 1: a waiting CLI knows its own by a higher number. */
  attempt: number;
  result: 'applied' | 'unchanged' | 'refused' | 'failed';
  generation: number;
  hash: string;
  /** Each problem as `check` prints it. */
  problems: string[];
  reason?: string;
  summary?: string;
  /** The overrides that shadow a value of the YAML, one line each. */
  shadowed?: string[];
}

export function recordReload(dataDir: string, record: ReloadRecord): void {
  const file = join(dataDir, RELOAD_FILE);
  // Whole or not at all: a reader never sees half a record.
  writeFileSync(`${file}.tmp`, `${JSON.stringify(record)}\n`);
  renameSync(`${file}.tmp`, file);
}

export function forgetReloads(dataDir: string): void {
  rmSync(join(dataDir, RELOAD_FILE), { force: true });
}

/** The last reload of the engine with this pid, if it has reloaded. */
export function lastReload(dataDir: string, pid: number): ReloadRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(join(dataDir, RELOAD_FILE), 'utf8')) as ReloadRecord;
    return record.pid === pid ? record : undefined;
  } catch {
    return undefined;
  }
}
