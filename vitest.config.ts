// Tests: unit tests beside the code, cross-cutting suites in test/. The cluster suites
// (test/cluster: several engine processes on one PostgreSQL, and a kill loop) run after
// every other file, one file at a time: they load the machine with their own processes,
// and nothing else may be timed against that load. The browser suites (test/browser: the
// admin page in Chromium) run last, one file at a time.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Vitest leaves one core free by default, which on a 2-core machine runs the files one
    // at a time; most of a file's time is waiting on sockets and child processes, so two
    // workers halve the wall time.
    maxWorkers: 2,
    // Asks once whether the PostgreSQL suites can run (test/support/postgres-setup.ts).
    globalSetup: ['test/support/postgres-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'engine',
          include: ['src/**/*.test.ts', 'drivers/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['test/cluster/**', 'test/browser/**', '**/node_modules/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'cluster',
          include: ['test/cluster/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          sequence: { groupOrder: 2 },
          fileParallelism: false,
        },
      },
    ],
  },
});
