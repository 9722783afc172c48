// /admin/v1/instances and /admin/v1/triggers: each instance with its live state (enabled,
// reachable, counts, errors, last fired, its compare conditions now, its overrides) and
// its trigger URL (with the secret for the admin scope only); enable and disable, stored
// as overrides on top of the YAML; the triggers as configured, secret-looking values redacted.
import type Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import type { TriggerConfig } from '../config/schema.js';
import { instanceSecrets } from '../instance-secrets.js';
import { overrideViews, setEnabled } from '../overrides/overrides.js';
import { redact } from '../redact.js';
import { instanceViews } from '../views/instance-views.js';
import { graceOf, rotate } from '../overrides/rotation.js';
import { AdminBadRequest, AdminNotFound } from './admin-errors.js';
import type { AdminApiDeps } from './admin-api.js';
import { bodyOf, need } from './admin-request.js';
import { scopeCovers, type Caller } from './admin-tokens.js';

export function mountInstanceRoutes(router: Router, deps: AdminApiDeps): void {
  router.get('/instances', async (ctx) => {
    ctx.body = { instances: await instances(ctx, deps) };
  });
  router.get('/instances/:id', async (ctx) => {
    const found = (await instances(ctx, deps, ctx.params.id)).at(0);
    if (!found) throw unknownInstance(deps, ctx.params.id!);
    ctx.body = found;
  });
  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const)
    router.post(`/instances/:id/${action}`, async (ctx) => {
      const caller = need(ctx, 'operate');
      const id = ctx.params.id!;
      if (!deps.live.yaml.instances.some((i) => i.id === id)) throw unknownInstance(deps, id);
      await deps.store.commit([setEnabled(id, enabled, caller.name, deps.clock.now())]);
      const outcome = await deps.live.followOverrides();
      deps.log.info({ admin: caller.name, instance: id, enabled }, `instance ${action}d by an override`);
      ctx.body = { ...(await instances(ctx, deps, id))[0], generation: outcome?.generation ?? deps.live.current.number };
    });
  router.post('/instances/:id/rotate', async (ctx) => {
    // The answer carries the new secret: the admin scope's alone.
    const caller = need(ctx, 'admin');
    const { grace } = await bodyOf(ctx, z.object({ grace: z.string().optional() }));
    const graceMs = graceOf(grace);
    if (graceMs === undefined) throw new AdminBadRequest(`grace must be a duration such as 24h, 30m or 0, not "${grace}"`);
    const id = ctx.params.id!;
    const rotated = await rotate(deps.store, deps.live.yaml, id, {
      graceMs,
      by: caller.name,
      now: deps.clock.now(),
      ids: deps.ids,
    });
    if (!rotated) throw unknownInstance(deps, id);
    await deps.live.followOverrides();
    deps.log.info({ admin: caller.name, instance: id, graceMs }, 'instance secret rotated');
    const [view] = await instanceList(deps, caller, id);
    ctx.body = {
      ...view,
      previous_valid_until: rotated.previousUntil === null ? null : new Date(rotated.previousUntil).toISOString(),
    };
  });
  router.get('/triggers', (ctx) => {
    need(ctx, 'read');
    ctx.body = { triggers: deps.live.current.config.triggers.map(triggerView) };
  });
}

async function instances(ctx: Context, deps: AdminApiDeps, only?: string) {
  return instanceList(deps, need(ctx, 'read'), only);
}

/** Every instance (or the one asked for) with its live state, its URL shown as the caller's scope allows. */
export async function instanceList(deps: AdminApiDeps, caller: Caller, only?: string) {
  const { config, catalog, conditions } = deps.live.current;
  const stats = await deps.store.runs.allStats();
  const overrides = overrideViews(deps.live.yaml, await deps.store.overrides.all());
  const withSecrets = scopeCovers(caller.scope, 'admin');
  const secrets = withSecrets
    ? await instanceSecrets(config, deps.store, { next: unreachable, secret: unreachable }, deps.clock)
    : undefined;
  const base = deps.triggerBase();
  return instanceViews(config, stats)
    .filter((view) => only === undefined || view.id === only)
    .map((view) => {
      const instance = catalog.get(view.id)!;
      const path = `${base}/webhook/${encodeURIComponent(view.id)}/notify`;
      const secret = secrets && (instance.config.secret ?? secrets.get(view.id));
      return {
        ...view,
        // Below the admin scope the URL is shown without its secret: it cannot be called from it.
        url: secret === undefined ? path : `${path}?secret=${encodeURIComponent(secret)}`,
        conditions: conditions.explain(instance),
        overrides: overrides.filter((o) => o.id === view.id),
      };
    });
}

/** Every instance's secret exists by the time the engine serves: nothing is generated here. */
function unreachable(): never {
  throw new Error('an instance had no secret');
}

function unknownInstance(deps: AdminApiDeps, id: string): AdminNotFound {
  const ids = deps.live.yaml.instances.map((i) => i.id);
  return new AdminNotFound(
    `no instance "${id}" in the config${ids.length > 0 ? `; instances: ${ids.slice(0, 20).join(', ')}` : ''}`,
  );
}

/** A trigger as configured; the provider's signing secret and every secret-looking key's value are redacted. */
function triggerView(trigger: TriggerConfig): unknown {
  const { signature, ...rest } = trigger;
  return redact({ ...rest, ...(signature && { signature: { scheme: signature.scheme } }) });
}
