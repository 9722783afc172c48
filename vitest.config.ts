// Tests: unit tests beside the code, cross-cutting suites in test/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'drivers/**/*.test.ts', 'test/**/*.test.ts'],
    // Vitest leaves one core free by default, which on a 2-core machine runs the files one
    // at a time; most of a file's time is waiting on sockets and child processes, so two
    // workers halve the wall time.
    maxWorkers: 2,
    // Asks once whether the PostgreSQL suites can run (test/support/postgres-setup.ts).
    globalSetup: ['test/support/postgres-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
