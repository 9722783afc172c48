// /admin/v1/runs and /admin/v1/requests: runs newest first with filters, one run with its
// actions in order (its trace), and the request log with each request as stored (headers
// and body redacted as `switchboard log` shows them).
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { REFUSAL_CODES } from '../errors.js';
import { redact } from '../redact.js';
import { runInput } from '../run-input.js';
import type { RunRow } from '../store/runs-repo.js';
import { requestViewer } from '../views/request-views.js';
import { parseSince, SINCE_EXAMPLES } from '../views/since.js';
import { AdminBadRequest, AdminNotFound } from './admin-errors.js';
import { iso, type AdminApiDeps } from './admin-api.js';
import { traceOf } from './trace-view.js';
import { limitParam, need, queryOf } from './admin-request.js';

const OUTCOMES = ['fired', 'debounced', 'conditions', 'busy', 'exec', ...REFUSAL_CODES] as const;

const runQuery = z.object({
  instance: z.string().optional(),
  trigger: z.string().optional(),
  status: z.enum(['pending', 'succeeded', 'failed']).optional(),
  since: z.string().optional(),
  limit: limitParam,
});

const requestQuery = z.object({
  instance: z.string().optional(),
  outcome: z.enum(OUTCOMES).optional(),
  since: z.string().optional(),
  limit: limitParam,
});

export function mountRunRoutes(router: Router, deps: AdminApiDeps): void {
  router.get('/runs', async (ctx) => {
    need(ctx, 'read');
    const q = queryOf(ctx, runQuery);
    const rows = await deps.store.runs.list({
      instanceId: q.instance,
      triggerId: q.trigger,
      status: q.status,
      since: sinceOf(q.since, deps),
      limit: q.limit,
    });
    ctx.body = { runs: rows.map(runView) };
  });
  router.get('/runs/:id', async (ctx) => {
    need(ctx, 'read');
    const run = await deps.store.runs.get(ctx.params.id!);
    if (!run) throw new AdminNotFound(`no run "${ctx.params.id}" (runs are kept for server.retention)`);
    ctx.body = await runDetail(run, deps);
  });
  router.get('/requests', async (ctx) => {
    need(ctx, 'read');
    const q = queryOf(ctx, requestQuery);
    const view = requestViewer(deps.live.current.config);
    const rows = await deps.store.requests.list({
      instanceId: q.instance,
      outcome: q.outcome,
      since: sinceOf(q.since, deps),
      limit: q.limit,
    });
    ctx.body = { requests: rows.map((row) => requestView(view(row))) };
  });
  router.get('/requests/:id', async (ctx: Context) => {
    need(ctx, 'read');
    const row = await deps.store.requests.get(ctx.params.id!);
    if (!row) throw new AdminNotFound(`no request "${ctx.params.id}" in the request log (it is kept for server.retention)`);
    ctx.body = requestView(requestViewer(deps.live.current.config)(row));
  });
}

export function sinceOf(text: string | undefined, deps: AdminApiDeps): number | undefined {
  if (text === undefined) return undefined;
  const at = parseSince(text, deps.clock.now());
  if (at === undefined)
    throw new AdminBadRequest(`since must be an ISO 8601 time or a duration ago, such as ${SINCE_EXAMPLES}; not "${text}"`);
  return at;
}

export function runView(run: RunRow) {
  return {
    id: run.id,
    instance: run.instance_id,
    trigger: run.trigger_id,
    system: run.system_id,
    request: run.request_id,
    status: run.status,
    created_at: iso(run.created_at),
    finished_at: iso(run.finished_at),
    duration_ms: run.finished_at === null ? null : Number(run.finished_at) - Number(run.created_at),
    error: run.error,
  };
}

export async function runDetail(run: RunRow, deps: AdminApiDeps) {
  // The input as the run's templates read it, through the one redaction.
  const { input, bodyMissing } = await runInput(deps.store, run);
  const trace = await traceOf(run, deps);
  return { ...runView(run), input: redact(input), input_body_missing: bodyMissing, trace };
}

export function requestView(row: ReturnType<ReturnType<typeof requestViewer>>) {
  return {
    id: row.id,
    instance: row.instance_id,
    received_at: iso(row.received_at),
    method: row.method,
    path: row.path,
    status: row.status,
    outcome: row.outcome,
    reason: row.reason,
    run: row.run_id,
    latency_ms: row.latency_ms,
    client_ip: row.client_ip,
    headers: row.headers,
    body: row.body,
    body_size: row.body_size,
    body_truncated: row.body_truncated === 1,
  };
}
