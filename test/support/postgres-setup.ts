// Vitest's global setup: is the PostgreSQL of the PostgreSQL suites reachable? Asked once
// per run, so a machine without one gets one line saying the suites are skipped; under CI
// (CI=true) an unreachable server fails the run instead, since CI runs those suites.
import pg from 'pg';
import { printableUrl } from '../../src/store/pg-database.js';
import type { TestProject } from 'vitest/node';

export const DEFAULT_TEST_POSTGRES = 'postgres://postgres@127.0.0.1:5432/test';

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { url: string; available: boolean };
  }
}

/** Why the server at `url` cannot be used, or undefined when it answers. */
export async function unreachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The server the PostgreSQL suites use: $SWITCHBOARD_TEST_POSTGRES, else this machine's. */
export const testPostgresUrl = (): string => process.env.SWITCHBOARD_TEST_POSTGRES ?? DEFAULT_TEST_POSTGRES;

export async function setup({ provide }: TestProject): Promise<void> {
  const url = testPostgresUrl();
  const why = await unreachable(url);
  if (why !== undefined) {
    const line = `PostgreSQL at ${printableUrl(url)} is unreachable (${why})`;
    if (process.env.CI === 'true') throw new Error(`${line}; CI runs the PostgreSQL suites and needs it`);
    console.warn(`${line}: skipping the PostgreSQL suites`);
  }
  provide('postgres', { url, available: why === undefined });
}
