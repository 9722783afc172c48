// What the engine recorded of a hostile request: its request log row (found by a `case`
// query parameter the test adds, which the log keeps) and the run it started.
import { runInput } from '../../../src/run-input.js';
import type { TestEngine } from '../../support/test-engine.js';

export interface LoggedRequest {
  path: string;
  status: number;
  outcome: string;
  reason: string | null;
  client_ip: string | null;
  run_id: string | null;
  body: string | null;
}

/** The request log rows whose path carries `case=<label>`. */
export async function loggedRequests(t: TestEngine, label: string): Promise<LoggedRequest[]> {
  const rows = await t.engine.store.database.db
    .selectFrom('request_log')
    .select(['path', 'status', 'outcome', 'reason', 'client_ip', 'run_id', 'body'])
    .where('path', 'like', `%case=${label}`)
    .execute();
  return rows.map((row) => ({ ...row, body: row.body ? row.body.toString('utf8') : null }));
}

/** The one request log row for `case=<label>`. */
export async function loggedRequest(t: TestEngine, label: string): Promise<LoggedRequest> {
  const rows = await loggedRequests(t, label);
  if (rows.length !== 1) throw new Error(`expected one request log row for case=${label}, found ${rows.length}`);
  return rows[0]!;
}

export interface RecordedRun {
  status: string;
  error: string | null;
  input: { body: unknown };
}

/** A run as stored, its input as a resumed run reads it back (the body from its request-log row). */
export async function runOf(t: TestEngine, runId: string): Promise<RecordedRun> {
  const row = await t.engine.store.database.db
    .selectFrom('runs')
    .select(['status', 'error', 'input', 'request_id'])
    .where('id', '=', runId)
    .executeTakeFirstOrThrow();
  const { input, bodyMissing } = await runInput(t.engine.store, row);
  if (bodyMissing) throw new Error(`run ${runId} refers to its request's body, but the request-log row is gone`);
  return { status: row.status, error: row.error, input };
}

/** How many requests were logged and runs recorded, to show that something never reached a trigger. */
export async function recordCounts(t: TestEngine): Promise<{ requests: number; runs: number }> {
  const { db } = t.engine.store.database;
  const requests = await db
    .selectFrom('request_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const runs = await db
    .selectFrom('runs')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return { requests: Number(requests.n), runs: Number(runs.n) };
}
