// The id of the node that last ran on a data directory, kept in it. A node that starts on
// the directory holds its lock, so the node before it is gone for certain (killed, most
// likely): the new node marks it stopped at once, and takes over its runs, leases and
// modules without waiting for its heartbeats to go silent.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NODE_FILE = 'switchboard.node';

/** Records `node` as this directory's node; returns the one recorded before, if any. */
export function succeedNode(dataDir: string, node: string): string | undefined {
  let before: string | undefined;
  try {
    before = readFileSync(join(dataDir, NODE_FILE), 'utf8').trim() || undefined;
  } catch {
    // the first node on this directory
  }
  writeFileSync(join(dataDir, NODE_FILE), `${node}\n`);
  return before === node ? undefined : before;
}
