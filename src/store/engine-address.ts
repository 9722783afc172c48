// Where the engine of a data directory listens, recorded when it starts, so the CLI
// (`switchboard urls`) prints the address that really answers (a --port override, port 0)
// rather than the config's. Read only while the process that wrote it is alive.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const ADDRESS_FILE = 'switchboard.address.json';

export function recordAddress(dataDir: string, url: string): void {
  writeFileSync(join(dataDir, ADDRESS_FILE), `${JSON.stringify({ pid: process.pid, url })}\n`);
}

export function forgetAddress(dataDir: string): void {
  rmSync(join(dataDir, ADDRESS_FILE), { force: true });
}

/** The URL the engine running on this data directory listens at, if one runs. */
export function runningAddress(dataDir: string): string | undefined {
  return runningEngine(dataDir)?.url;
}

/** The engine serving from this data directory: its process and address, if one runs. */
export function runningEngine(dataDir: string): { pid: number; url: string } | undefined {
  try {
    const { pid, url } = JSON.parse(readFileSync(join(dataDir, ADDRESS_FILE), 'utf8')) as { pid: number; url: string };
    process.kill(pid, 0); // throws when no such process
    return { pid, url };
  } catch {
    return undefined;
  }
}
