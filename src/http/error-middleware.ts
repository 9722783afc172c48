// Turns any error into its JSON answer through the one mapping in errors.ts; unknown
// errors are logged in full here and reach the caller as a bare 500.
import type { Middleware } from 'koa';
import { EngineError, errorResponse } from '../errors.js';
import type { Logger } from '../logger.js';

export function errorMiddleware(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (!(error instanceof EngineError))
        log.error({ err: error, method: ctx.method }, 'unhandled error while handling a request');
      const { status, headers, body } = errorResponse(error);
      ctx.status = status;
      ctx.set(headers);
      ctx.body = body;
    }
  };
}
