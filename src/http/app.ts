// Assembles the Koa app: error mapping, the trigger routes, a health check, and a JSON 404.
import Router from '@koa/router';
import Koa from 'koa';
import { EngineError } from '../errors.js';
import { mountNotifyRoutes } from '../inbound/routes.js';
import type { NotifyHandler } from '../inbound/notify-handler.js';
import type { Logger } from '../logger.js';
import { errorMiddleware } from './error-middleware.js';

export function createApp(deps: { notify: NotifyHandler; log: Logger }): Koa {
  const app = new Koa();
  // Errors are answered and logged by errorMiddleware; Koa's own printer would repeat them.
  app.silent = true;
  app.use(errorMiddleware(deps.log));
  const router = new Router();
  mountNotifyRoutes(router, deps.notify);
  router.get('/healthz', (ctx) => {
    ctx.body = { ok: true };
  });
  app.use(router.routes());
  app.use(() => {
    throw new EngineError('not_found', 404, 'Nothing here. Trigger URLs look like /webhook/TRIGGER/notify?secret=SECRET.');
  });
  return app;
}
