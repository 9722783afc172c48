// Runs the `switchboard` CLI as a real child process (the fresh build, else the sources
// through tsx: fresh-build.ts) and checks that nothing it prints is a stack trace.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { CLI_ENTRY } from './fresh-build.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The built command as a user runs it (`npm run build` bundles it into dist/bundle/); absent before a build. */
export const BUILT_CLI = fileURLToPath(new URL('../../dist/bundle/cli/run.js', import.meta.url));

/**
 * Starts the CLI in the project root, without the caller's SWITCHBOARD_CONFIG or LOG_LEVEL:
 * as fresh-build.ts says, with `built` the bundled command through bin/switchboard.js, or with
 * `source` the sources through tsx.
 */
export function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  { built = false, source = false } = {},
): ChildProcessWithoutNullStreams {
  const base = { ...process.env };
  delete base.SWITCHBOARD_CONFIG;
  delete base.LOG_LEVEL;
  // `source`: through tsx whatever the build (it can load drivers written in TypeScript).
  const entry = built ? ['bin/switchboard.js'] : source ? ['--import', 'tsx', 'src/cli/run.ts'] : CLI_ENTRY;
  return spawn(process.execPath, [...entry, ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: 'pipe',
  });
}

export function expectNoStackTrace(result: CliResult): void {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toMatch(/node:internal|\.ts:\d+:\d+|Error:/);
  expect(result.stdout).not.toMatch(/^\s+at /m);
}

/** Runs the CLI to completion (killed after 15 s); every run is checked for stack traces. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}, how: { built?: boolean } = {}): Promise<CliResult> {
  const child = spawnCli(args, env, how);
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const result = { code, stdout, stderr };
      try {
        expectNoStackTrace(result);
        resolve(result);
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}
