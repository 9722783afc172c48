// Runs the `switchboard` CLI in this process through main.ts's run(): its exit code and what
// it printed with console.log and console.error, checked for stack traces. Spawning a process
// per call (test/support/cli-process.ts) is kept for what needs one.
import { format } from 'node:util';
import { vi } from 'vitest';
import { run } from '../../src/cli/main.js';
import { expectNoStackTrace, type CliResult } from './cli-process.js';

/** Runs one command line with `env` set and without the caller's SWITCHBOARD_CONFIG or LOG_LEVEL. */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void (stdout += `${format(...parts)}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void (stderr += `${format(...parts)}\n`));
  const saved = new Map<string, string | undefined>();
  const setEnv = (name: string, value: string | undefined) => {
    if (!saved.has(name)) saved.set(name, process.env[name]);
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  setEnv('SWITCHBOARD_CONFIG', undefined);
  setEnv('LOG_LEVEL', undefined);
  for (const [name, value] of Object.entries(env)) setEnv(name, value);
  try {
    const code = await run(args);
    const result = { code, stdout, stderr };
    expectNoStackTrace(result);
    return result;
  } finally {
    log.mockRestore();
    error.mockRestore();
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}
