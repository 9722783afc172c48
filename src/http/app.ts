// Assembles the Koa app: the caller's real address, the per-client cap behind a proxy,
// error mapping, the trigger routes, /healthz (the event loop answers), /readyz (the
// parts can work), /metrics (Prometheus, for the addresses allowed) and a JSON 404.
import Router from '@koa/router';
import Koa from 'koa';
import { EngineError } from '../errors.js';
import type { NotifyRoute } from '../inbound/notify-route.js';
import { mountNotifyRoutes } from '../inbound/routes.js';
import type { Logger } from '../logger.js';
import type { ClientAddress } from './client-address.js';
import { clientLimiter } from './client-limiter.js';
import { errorMiddleware } from './error-middleware.js';
import { mountInternalRoutes, type InternalRouteDeps } from './internal-route.js';
import { mountProbeRoutes, type MetricsEndpoint } from './probe-routes.js';
import type { ConfigGeneration, PartReadiness } from './readiness.js';

export interface AppDeps {
  notify: NotifyRoute;
  log: Logger;
  addresses: ClientAddress;
  maxConnectionsPerAddress: number;
  /** Every part of the engine and how it is. */
  readiness(): Record<string, PartReadiness>;
  /** The config generation serving: its number and hash. */
  generation(): ConfigGeneration;
  metrics: MetricsEndpoint;
  /** Where nodes share the database: the calls other nodes forward to modules that run here. */
  internal?: InternalRouteDeps;
}

const notFound = (): never => {
  throw new EngineError('not_found', 404, 'Nothing here. Trigger URLs look like /webhook/TRIGGER/notify?secret=SECRET.');
};

export function createApp(deps: AppDeps): Koa {
  const app = new Koa();
  // Errors are answered and logged by errorMiddleware; Koa's own printer would repeat them.
  app.silent = true;
  app.use(async (ctx, next) => {
    ctx.request.ip = deps.addresses.of(ctx.req);
    await next();
  });
  app.use(errorMiddleware(deps.log));
  app.use(clientLimiter(deps.addresses, deps.maxConnectionsPerAddress));
  const router = new Router();
  mountNotifyRoutes(router, deps.notify);
  if (deps.internal) mountInternalRoutes(router, deps.internal);
  mountProbeRoutes(router, { ...deps, notFound });
  app.use(router.routes());
  app.use(notFound);
  return app;
}
