// /admin/v1/status, /admin/v1/overrides and /admin/v1/config/reload: which node and config
// generation answer, whether every part is ready, each module's status and device
// connection; the overrides on top of the YAML, each with what the YAML says and whether
// it shadows it, and clearing one; the same reload as SIGHUP, answering its outcome.
import type Router from '@koa/router';
import { z } from 'zod';
import { formatProblem } from '../config/problems.js';
import { cleared, overrideName, overrideViews, parseOverrideName } from '../overrides/overrides.js';
import { describeChanges, type ReloadOutcome } from '../reload/live-config.js';
import { AdminBadRequest, AdminNotFound } from './admin-errors.js';
import { iso, type AdminApiDeps } from './admin-api.js';
import { bodyOf, need } from './admin-request.js';
import { scopeCovers } from './admin-tokens.js';
import { redactYaml } from './yaml-redaction.js';

export function mountStatusRoutes(router: Router, deps: AdminApiDeps): void {
  const { live, store } = deps;
  router.get('/status', async (ctx) => {
    need(ctx, 'read');
    const parts = deps.readiness();
    const { number, hash, config } = live.current;
    ctx.body = {
      node: deps.node,
      started_at: iso(deps.startedAt),
      store: deps.storeKind,
      ready: Object.values(parts).every((p) => p.ok),
      parts,
      config: { generation: number, hash },
      instances: config.instances.length,
      subscriptions: config.subscriptions.length,
      overrides: (await store.overrides.all()).length,
      // Each module here, and for those with a device link whether it is connected, and why not.
      modules: deps.modules.all().map((m) => ({
        system: m.systemId,
        address: m.address,
        driver: m.driver.name,
        status: m.status,
        failure: m.failure ?? null,
        connection: m.connection ?? null,
        connection_error: m.connectionError ?? null,
      })),
      nodes: (await store.nodes.all()).map((n) => ({
        id: n.id,
        host: n.host,
        generation: Number(n.generation),
        config_hash: n.config_hash,
        seen_at: iso(n.seen_at),
        stopped_at: iso(n.stopped_at),
      })),
    };
  });
  router.get('/overrides', async (ctx) => {
    need(ctx, 'read');
    ctx.body = { overrides: overrideViews(live.yaml, await store.overrides.all()).map((o) => ({ name: overrideName(o), ...o })) };
  });
  router.delete('/overrides/:target/:id/:field', async (ctx) => {
    const caller = need(ctx, 'operate');
    const name = `${ctx.params.target}/${ctx.params.id}/${ctx.params.field}`;
    const key = parseOverrideName(name);
    if (typeof key === 'string') throw new AdminBadRequest(key);
    const existing = overrideViews(live.yaml, await store.overrides.all()).find((o) => overrideName(o) === name);
    if (!existing) throw new AdminNotFound(`no override ${name}; GET /admin/v1/overrides lists them`);
    await store.commit([cleared(key)]);
    const outcome = await live.followOverrides();
    deps.log.info({ admin: caller.name, override: name }, 'override cleared: the YAML decides again');
    ctx.body = { cleared: name, yaml: existing.yaml ?? null, generation: outcome?.generation ?? live.current.number };
  });
  router.get('/config/generations', async (ctx) => {
    need(ctx, 'read');
    const kept = await store.configs.list(100);
    ctx.body = {
      serving: live.current.hash,
      generations: kept.map((g) => ({
        hash: g.hash,
        created_at: iso(g.created_at),
        url: `/admin/v1/config/generations/${g.hash}`,
      })),
    };
  });
  router.get('/config/generations/:hash', async (ctx) => {
    const caller = need(ctx, 'read');
    const stored = await store.configs.generation(ctx.params.hash!);
    if (!stored) throw new AdminNotFound(`no config generation ${ctx.params.hash} is kept`);
    // Literal secrets written into the YAML are for the admin scope only.
    const shown = scopeCovers(caller.scope, 'admin') ? (text: string) => text : redactYaml;
    ctx.body = {
      hash: stored.hash,
      created_at: iso(stored.created_at),
      files: Object.fromEntries(Object.entries(stored.files).map(([name, text]) => [name, shown(text)])),
      overrides: overrideViews(live.yaml, stored.overrides).map((o) => ({
        name: overrideName(o),
        value: o.value,
        set_by: o.set_by,
        set_at: o.set_at,
      })),
    };
  });
  router.post('/config/reload', async (ctx) => {
    const caller = need(ctx, 'operate');
    await bodyOf(ctx, z.object({}));
    const outcome = await live.reload();
    deps.log.info({ admin: caller.name, result: outcome.result }, 'config reload asked over the admin API');
    const view = reloadView(outcome);
    if (outcome.result === 'applied' || outcome.result === 'unchanged') ctx.body = view;
    else if (outcome.result === 'refused') {
      ctx.status = 422;
      const message = `the config has ${view.problems.length} problem(s); generation ${view.generation} goes on serving`;
      ctx.body = { error: 'reload_refused', message, ...view };
    } else {
      ctx.status = 500;
      ctx.body = { error: 'reload_failed', message: `reload failed: ${view.reason ?? 'see the engine log'}`, ...view };
    }
  });
}

function reloadView(outcome: ReloadOutcome) {
  return {
    result: outcome.result,
    generation: outcome.generation,
    hash: outcome.hash,
    problems: outcome.problems.map(formatProblem),
    reason: outcome.reason ?? null,
    summary: outcome.changes ? describeChanges(outcome.changes) : null,
    shadowed: outcome.shadowed,
  };
}
