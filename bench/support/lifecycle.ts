// A bench's lifecycle: the cleanup registry (closers run in reverse order), run at the end, on error and on Ctrl-C.

/** Something to undo at the end: stop an engine, close a server, delete a dir. */
export type Closer = () => Promise<void> | void;

/** Pushed in the order things start; cleanup runs them last first. */
export const closers: Closer[] = [];

let first: (() => void) | undefined;
let cleaning: Promise<void> | undefined;

/** Runs before every closer on cleanup, e.g. to stop a load generator that is mid-run. */
export function beforeClosers(stop: () => void): void {
  first = stop;
}

/** Runs the closers once (later calls get the same promise); a closer that throws is reported and the rest still run. */
export function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    first?.();
    for (const close of closers.reverse()) {
      try {
        await close();
      } catch (error) {
        console.error(`cleanup: ${(error as Error).message}`);
      }
    }
  })());
}

/** Ctrl-C: clean up, then exit with 130. */
export function cleanupOnInterrupt(): void {
  process.once('SIGINT', () => {
    console.error('\ninterrupted: cleaning up');
    void cleanup().finally(() => process.exit(130));
  });
}

/** Runs the bench's main, reports a failure (exit code 1) and always cleans up. */
export async function runBench(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    console.error(`bench failed: ${(error as Error).stack ?? String(error)}`);
    process.exitCode = 1;
  } finally {
    await cleanup();
  }
}
