// Runs the engine as a real child process (the CLI's `start`, built when the build is fresh:
// fresh-build.ts), for crash and signal tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CLI_ENTRY } from './fresh-build.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface EngineProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export async function spawnEngine(configDir: string, dataDir: string, env: NodeJS.ProcessEnv = {}): Promise<EngineProcess> {
  const child = spawn(process.execPath, [...CLI_ENTRY, 'start', '--config', configDir, '--data', dataDir, '--port', '0'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout!.on('data', (chunk) => (text += chunk));
  child.stderr!.on('data', (chunk) => (text += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`engine did not start:\n${text}`)), 20_000);
    const look = () => {
      const match = /listening on (http:\/\/\S+?);/.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stderr!.on('data', look);
    void exited.then(() => reject(new Error(`engine exited before listening:\n${text}`)));
  });
  return { child, url, output: () => text, exited };
}
