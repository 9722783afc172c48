// The one temp dir a bench run writes into, deleted at cleanup.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closers } from './lifecycle.js';

/** Creates a fresh dir under the OS temp dir and registers its removal with the cleanup. */
export function benchTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  closers.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
