// /admin/v1/deliveries, /admin/v1/subscriptions and /admin/v1/events: deliveries with their
// attempts, redeliver one (its event id, the receiver's idempotency key, stays) and recover
// every failed one since a time (Svix's recover); subscriptions with their state (never a
// signing secret nor a header's value) and enable; the event catalogue.
import type Router from '@koa/router';
import { z } from 'zod';
import { EventCatalog } from '../outbound/event-catalog.js';
import type { DeliveryRow } from '../store/outbox-repo.js';
import { AdminNotFound } from './admin-errors.js';
import { iso, type AdminApiDeps } from './admin-api.js';
import { bodyOf, limitParam, need, queryOf } from './admin-request.js';
import { sinceOf } from './run-routes.js';

const deliveryQuery = z.object({
  status: z.enum(['pending', 'succeeded', 'failed']).optional(),
  subscription: z.string().optional(),
  type: z.string().optional(),
  since: z.string().optional(),
  limit: limitParam,
});

export function mountDeliveryRoutes(router: Router, deps: AdminApiDeps): void {
  const { store, clock } = deps;
  router.get('/deliveries', async (ctx) => {
    need(ctx, 'read');
    const q = queryOf(ctx, deliveryQuery);
    const rows = await store.outbox.list({
      status: q.status,
      subscriptionId: q.subscription,
      type: q.type,
      since: sinceOf(q.since, deps),
      limit: q.limit,
    });
    ctx.body = { deliveries: rows.map((row) => ({ ...deliveryView(row), type: row.type })) };
  });
  router.get('/deliveries/:id', async (ctx) => {
    need(ctx, 'read');
    const row = await store.outbox.get(ctx.params.id!);
    if (!row) throw unknownDelivery(ctx.params.id!);
    const attempts = await store.outbox.attempts(row.id);
    ctx.body = {
      ...deliveryView(row),
      attempts: attempts.map((a) => ({
        attempt: a.attempt,
        started_at: iso(a.started_at),
        latency_ms: a.latency_ms,
        status_code: a.status_code,
        error: a.error,
        response: a.response,
      })),
    };
  });
  router.post('/deliveries/:id/redeliver', async (ctx) => {
    const caller = need(ctx, 'operate');
    await bodyOf(ctx, z.object({}));
    const before = await store.outbox.get(ctx.params.id!);
    if (!before) throw unknownDelivery(ctx.params.id!);
    await store.commit([{ kind: 'delivery_requeued', id: before.id, at: clock.now() }]);
    deps.log.info({ admin: caller.name, delivery: before.id, was: before.status }, 'delivery queued again');
    ctx.status = 202;
    ctx.body = { ...deliveryView((await store.outbox.get(before.id))!), was: before.status };
  });
  router.post('/deliveries/recover', async (ctx) => {
    const caller = need(ctx, 'operate');
    const { since } = await bodyOf(
      ctx,
      z.object({ since: z.string({ error: 'give since: an ISO 8601 time or a duration ago' }) }),
    );
    const from = sinceOf(since, deps)!;
    const failed = await store.outbox.list({ status: 'failed', since: from, limit: 100_000 });
    await store.commit([{ kind: 'deliveries_recovered', since: from, at: clock.now() }]);
    deps.log.info({ admin: caller.name, since: iso(from), queued: failed.length }, 'failed deliveries queued again');
    ctx.status = 202;
    ctx.body = { since: iso(from), queued: failed.length };
  });
  router.get('/subscriptions', async (ctx) => {
    need(ctx, 'read');
    const states = new Map((await store.outbox.subscriptionStates()).map((s) => [s.subscription_id, s]));
    const pending = new Map((await store.outbox.pendingBySubscription()).map((p) => [p.subscriptionId, p.pending]));
    ctx.body = {
      subscriptions: deps.live.current.config.subscriptions.map((s) => {
        const state = states.get(s.id);
        return {
          id: s.id,
          url: shownUrl(s.url),
          zone: s.zone ?? null,
          system: s.system ?? null,
          events: s.events,
          mode: s.mode,
          success: s.success,
          retry_ms: s.retry,
          header_names: Object.keys(s.headers),
          enabled: state?.disabled_at == null,
          disabled_at: iso(state?.disabled_at),
          disabled_reason: state?.disabled_reason ?? null,
          pending: pending.get(s.id) ?? 0,
        };
      }),
    };
  });
  router.post('/subscriptions/:id/enable', async (ctx) => {
    const caller = need(ctx, 'operate');
    await bodyOf(ctx, z.object({}));
    const id = ctx.params.id!;
    if (!deps.live.current.config.subscriptions.some((s) => s.id === id))
      throw new AdminNotFound(`no subscription "${id}" in the config`);
    const state = (await store.outbox.subscriptionStates()).find((s) => s.subscription_id === id);
    const was = state?.disabled_at == null ? 'enabled' : 'disabled';
    if (was === 'disabled') await store.commit([{ kind: 'subscription_disabled', subscriptionId: id, at: null, reason: null }]);
    deps.log.info({ admin: caller.name, subscription: id, was }, 'subscription enabled');
    ctx.body = { id, enabled: true, was };
  });
  router.get('/events', (ctx) => {
    need(ctx, 'read');
    const catalog = new EventCatalog(deps.registry, deps.live.current.config);
    ctx.body = { events: catalog.all().map(({ type, origin, description }) => ({ type, origin, description })) };
  });
}

/** A URL's password (user:password@) is a secret: never shown. */
function shownUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password === '') return url;
  parsed.password = 'redacted';
  return parsed.toString();
}

function unknownDelivery(id: string): AdminNotFound {
  return new AdminNotFound(`no delivery "${id}" (deliveries are kept for server.retention)`);
}

export function deliveryView(row: DeliveryRow) {
  return {
    id: row.id,
    event: row.event_id,
    subscription: row.subscription_id,
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: iso(row.next_attempt_at),
    created_at: iso(row.created_at),
    finished_at: iso(row.finished_at),
    last_status: row.last_status,
    last_error: row.last_error,
  };
}
