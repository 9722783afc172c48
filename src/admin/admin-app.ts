// The admin listener's Koa app: /healthz, /readyz and /metrics without a token; the admin
// API under /admin/v1 with a bearer token (or the page's cookie) whose scope each route
// checks; every call logged with the token's name, never the token; errors in the
// engine's `{ error, message }` shape; a JSON 404 for anything else.
import Router from '@koa/router';
import Koa, { type Context, type Next } from 'koa';
import { EngineError } from '../errors.js';
import { errorMiddleware } from '../http/error-middleware.js';
import { mountProbeRoutes, type MetricsEndpoint } from '../http/probe-routes.js';
import type { Logger } from '../logger.js';
import type { AdminApiDeps } from './admin-api.js';
import { AdminUnauthorized } from './admin-errors.js';
import type { AdminTokens, Caller } from './admin-tokens.js';
import { mountDeliveryRoutes } from './delivery-routes.js';
import { mountFireRoutes } from './fire-routes.js';
import { mountInstanceRoutes } from './instance-routes.js';
import { mountRunRoutes } from './run-routes.js';
import { mountStatusRoutes } from './status-routes.js';
import { mountStreamRoute, type OpenStreams } from './stream-route.js';

/** The cookie the page's login keeps the token in (http-only, same-site strict). */
export const SESSION_COOKIE = 'switchboard_admin';

export interface AdminAppDeps {
  api: AdminApiDeps;
  tokens: AdminTokens;
  log: Logger;
  /** The live streams open, ended when the listener stops. */
  streams: OpenStreams;
  metrics: MetricsEndpoint;
  /** More routes on the same app (the web page). */
  mount?: (router: Router, app: { identify(ctx: Context): Caller | undefined }) => void;
}

const notFound = (): never => {
  throw new EngineError('not_found', 404, 'Nothing here. The admin API is under /admin/v1.');
};

export function createAdminApp(deps: AdminAppDeps): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(accessLog(deps.log));
  app.use(errorMiddleware(deps.log));
  const identify = (ctx: Context) => callerOf(ctx, deps.tokens);
  const router = new Router();
  // Whoever reaches the admin listener may read the metrics: it is the operator's.
  mountProbeRoutes(router, {
    readiness: () => deps.api.readiness(),
    generation: () => ({ generation: deps.api.live.current.number, hash: deps.api.live.current.hash }),
    metrics: deps.metrics,
    notFound,
  });
  const api = new Router({ prefix: '/admin/v1' });
  api.use(async (ctx, next) => {
    const caller = identify(ctx);
    if (!caller) throw new AdminUnauthorized();
    (ctx.state as { caller: Caller }).caller = caller;
    await next();
  });
  mountStatusRoutes(api, deps.api);
  mountInstanceRoutes(api, deps.api);
  mountRunRoutes(api, deps.api);
  mountDeliveryRoutes(api, deps.api);
  mountFireRoutes(api, deps.api);
  mountStreamRoute(api, deps.api, deps.streams);
  deps.mount?.(router, { identify });
  app.use(router.routes());
  app.use(api.routes());
  app.use(notFound);
  return app;
}

/**
 * The caller of a request: its bearer token, else the page's cookie. A cookie is sent by
 * the browser on its own, so a cookie's change (not GET) must come from the page itself:
 * the browser says so in Sec-Fetch-Site or Origin (SameSite=Strict already keeps other
 * sites' requests from carrying it).
 */
function callerOf(ctx: Context, tokens: AdminTokens): Caller | undefined {
  const header = ctx.get('authorization');
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (bearer !== undefined) return tokens.identify(bearer);
  if (header !== '') return undefined;
  const cookie = ctx.cookies.get(SESSION_COOKIE);
  if (cookie === undefined) return undefined;
  if (!['GET', 'HEAD'].includes(ctx.method) && !sameOrigin(ctx)) return undefined;
  return tokens.identify(decodeURIComponent(cookie));
}

function sameOrigin(ctx: Context): boolean {
  const site = ctx.get('sec-fetch-site');
  if (site !== '') return site === 'same-origin';
  const origin = ctx.get('origin');
  return origin !== '' && origin === ctx.origin;
}

/** One line per admin call: who (the token's name), what, how it ended and how long it took. */
function accessLog(log: Logger) {
  return async (ctx: Context, next: Next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      if (ctx.path.startsWith('/admin/') || ctx.path === '/login') {
        const caller = (ctx.state as { caller?: Caller }).caller;
        log.info(
          {
            admin: caller?.name ?? null,
            method: ctx.method,
            path: ctx.path,
            status: ctx.status,
            ms: Math.round(performance.now() - started),
          },
          'admin call',
        );
      }
    }
  };
}
