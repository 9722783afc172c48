// POST /admin/v1/instances/:id/fire and POST /admin/v1/requests/:id/replay: an operator's
// test fire, and a logged request (its stored body and headers) replayed through the trigger
// as it was when the request came (`config: "original"`, the stored generation) or as it is
// now (`"current"`). Both check the trigger's compare conditions first, as a request would,
// and bypass its debounce window (an operator's deliberate act). `dry_run: true` evaluates
// the conditions and fills in the templates, and reports what each action would be called
// with, calling nothing.
import type Router from '@koa/router';
import { parse as parseQuery } from 'node:querystring';
import { z } from 'zod';
import { ConfigInvalid, formatProblem } from '../config/problems.js';
import type { Config } from '../config/schema.js';
import { templateBody } from '../inbound/stored-body.js';
import { redact } from '../redact.js';
import type { RequestLogRow } from '../store/request-log-repo.js';
import { runnerFor } from '../triggers/actions/index.js';
import { conditionsNow, type ConditionNow } from '../triggers/conditions/condition-watcher.js';
import { InstanceCatalog, type TriggerInstance } from '../triggers/instance-catalog.js';
import { conditionsTrace, type FireCause, type RunTrace } from '../triggers/run-trace.js';
import type { TemplateInput } from '../triggers/template.js';
import { AdminConflict, AdminNotFound } from './admin-errors.js';
import type { AdminApiDeps } from './admin-api.js';
import { bodyOf, need } from './admin-request.js';

const fireBody = z.object({
  body: z.unknown().optional(),
  query: z.record(z.string(), z.string()).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  dry_run: z.boolean().default(false),
});

const replayBody = z.object({
  config: z.enum(['original', 'current'], { error: 'config must be "original" or "current"' }).default('current'),
  dry_run: z.boolean().default(false),
});

export function mountFireRoutes(router: Router, deps: AdminApiDeps): void {
  router.post('/instances/:id/fire', async (ctx) => {
    const caller = need(ctx, 'operate');
    const asked = await bodyOf(ctx, fireBody);
    const instance = deps.live.current.catalog.get(ctx.params.id!);
    if (!instance) throw new AdminNotFound(`no instance "${ctx.params.id}" in the config`);
    const input: TemplateInput = {
      method: 'POST',
      body: asked.body ?? null,
      query: asked.query ?? {},
      headers: redact(asked.headers ?? {}) as Record<string, unknown>,
    };
    if (!asked.dry_run && !instance.config.enabled)
      throw new AdminConflict(`instance ${instance.id} is disabled: enable it first, or ask for dry_run: true`);
    deps.log.info({ admin: caller.name, instance: instance.id, dry_run: asked.dry_run }, 'test fire');
    const answer = await fireOrDescribe(deps, instance, input, 'test', {}, asked.dry_run);
    ctx.status = answer.fired ? 202 : 200;
    ctx.body = answer;
  });

  router.post('/requests/:id/replay', async (ctx) => {
    const caller = need(ctx, 'operate');
    const asked = await bodyOf(ctx, replayBody);
    const row = await deps.store.requests.get(ctx.params.id!);
    if (!row) throw new AdminNotFound(`no request "${ctx.params.id}" in the request log (it is kept for server.retention)`);
    if (row.body === null && row.body_size > 0)
      throw new AdminConflict(
        `request ${row.id} was stored without its body (its trigger has log_body: none), so it cannot be replayed`,
      );
    const { config, hash } = await configFor(deps, row, asked.config);
    const instance = instanceIn(config, row.instance_id, hash === deps.live.current.hash ? deps.live.current.catalog : undefined);
    if (!instance)
      throw new AdminConflict(`instance ${row.instance_id} is not in the ${asked.config} config (generation ${hash})`);
    const trace: RunTrace = {
      replay: { request: row.id, config: asked.config },
      ...(hash !== deps.live.current.hash && { generation: hash }),
    };
    deps.log.info({ admin: caller.name, request: row.id, config: asked.config, dry_run: asked.dry_run }, 'request replayed');
    const answer = await fireOrDescribe(deps, instance, inputOf(row), 'replay', trace, asked.dry_run);
    ctx.status = answer.fired ? 202 : 200;
    ctx.body = { ...answer, request: row.id, config: asked.config, generation: hash };
  });
}

/** Fires (conditions permitting) or, on a dry run, says what would happen. */
async function fireOrDescribe(
  deps: AdminApiDeps,
  instance: TriggerInstance,
  input: TemplateInput,
  cause: FireCause,
  trace: RunTrace,
  dryRun: boolean,
) {
  const conditions = conditionsNow(instance, deps.modules);
  const hold = conditions.every((c) => c.holds);
  if (dryRun) return { fired: false, dry_run: true, conditions, would_fire: hold, actions: resolvedActions(instance, input) };
  if (!hold) return { fired: false, reason: 'conditions', conditions };
  const result = await deps.firer.fire(instance, input, cause, undefined, undefined, {
    ...trace,
    ...conditionsTrace(conditions),
  });
  if (!result.fired) {
    const detail = result.reason === 'busy' ? result.detail : 'refused';
    throw new AdminConflict(`instance ${instance.id} did not fire: its mode took no more runs (${detail})`);
  }
  return { fired: true, run: result.run, conditions: conditions satisfies ConditionNow[] };
}

/** Each action with what it would be called with (templates filled in, secret-looking values redacted). */
function resolvedActions(instance: TriggerInstance, input: TemplateInput) {
  return instance.trigger.actions.map((action, position) => {
    const runner = runnerFor(action);
    try {
      return { position, kind: action.kind, target: runner.target(action), args: redact(runner.resolve(action, input)) };
    } catch (error) {
      return { position, kind: action.kind, target: runner.target(action), error: (error as Error).message };
    }
  });
}

/** The config a replay runs under: the serving one, or the generation that served when the request came. */
async function configFor(
  deps: AdminApiDeps,
  row: RequestLogRow,
  which: 'original' | 'current',
): Promise<{ config: Config; hash: string }> {
  if (which === 'current') return { config: deps.live.current.config, hash: deps.live.current.hash };
  const hash =
    (row.run_id && (await deps.store.configs.ofRun(row.run_id))) ||
    (await deps.store.configs.servedAt(Number(row.received_at), null));
  if (!hash)
    throw new AdminConflict(`the config request ${row.id} arrived under is not kept (it came before generations were kept)`);
  if (hash === deps.live.current.hash) return { config: deps.live.current.config, hash };
  try {
    const config = await deps.configs.get(hash);
    if (!config) throw new AdminConflict(`config generation ${hash}, which request ${row.id} arrived under, is not kept`);
    return { config, hash };
  } catch (error) {
    if (!(error instanceof ConfigInvalid)) throw error;
    const problems = error.problems.map(formatProblem).join('; ');
    throw new AdminConflict(`config generation ${hash} no longer reads as a config with today's environment: ${problems}`);
  }
}

/** The instance as `config` has it: from the serving catalogue, or built for the replay (no secret is needed to replay). */
function instanceIn(config: Config, id: string, serving?: InstanceCatalog): TriggerInstance | undefined {
  if (serving) return serving.get(id);
  if (!config.instances.some((i) => i.id === id)) return undefined;
  return new InstanceCatalog(config, new Map(config.instances.map((i) => [i.id, 'replay-needs-no-secret']))).get(id);
}

/** A logged request as its trigger's templates read it: method, body as stored, query from its logged path, headers as stored (redacted). */
function inputOf(row: RequestLogRow): TemplateInput {
  const query = row.path.includes('?') ? parseQuery(row.path.slice(row.path.indexOf('?') + 1)) : {};
  return {
    method: row.method,
    body: templateBody(row),
    query: query as Record<string, unknown>,
    headers: JSON.parse(row.headers) as Record<string, unknown>,
  };
}
