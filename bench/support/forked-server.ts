// A bench server in a child process of its own (forked with IPC): started, its first
// message (where it listens) awaited, and stopped on cleanup, SIGTERM then its exit. A child
// that exits before that first message rejects, instead of leaving the bench waiting.
import { fork, type ChildProcess } from 'node:child_process';
import { closers } from './lifecycle.js';

export async function forkServer<Hello>(
  module: URL,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ child: ChildProcess; hello: Hello }> {
  const child = fork(module, args, { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  );
  const hello = await new Promise<Hello>((resolve, reject) => {
    child.once('message', (message: Hello) => resolve(message));
    child.once('exit', (code) =>
      reject(new Error(`${module.pathname} ${args.join(' ')} exited with code ${code} before it listened`)),
    );
  });
  return { child, hello };
}
