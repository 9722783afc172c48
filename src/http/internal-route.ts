// What other nodes of the same database ask of this one: a call or a webhook of a module
// that runs here (remote-modules.ts sends them). Authenticated by the secret the nodes
// share (compared in constant time); a caller without it learns nothing, as from any
// unknown path. A module that does not run here answers 409, and the caller says so.
import type Router from '@koa/router';
import { createHash, timingSafeEqual } from 'node:crypto';
import { carry } from '../cluster/remote-modules.js';
import type { WebhookRequest } from '../drivers/api.js';
import type { ModuleHost } from '../drivers/module-host.js';
import { ModuleCallInvalid } from '../drivers/module-instance.js';
import { readBody } from '../inbound/read-body.js';

export interface InternalRouteDeps {
  modules: ModuleHost;
  /** The secret the nodes of this database share. */
  secret: string;
  bodyLimit: number;
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/** Not a trigger URL's answer (nothing here goes to the request log): a plain JSON error. */
function answer(ctx: { status: number; body: unknown }, status: number, error: string, message: string): void {
  ctx.status = status;
  ctx.body = { error, message };
}

export function mountInternalRoutes(router: Router, deps: InternalRouteDeps): void {
  const expected = digest(`Bearer ${deps.secret}`);
  router.post('/internal/v1/modules/:system/:address/:op', async (ctx) => {
    if (!timingSafeEqual(digest(ctx.get('authorization')), expected))
      return answer(ctx, 404, 'not_found', 'Nothing here. Trigger URLs look like /webhook/TRIGGER/notify?secret=SECRET.');
    const module = deps.modules.find(ctx.params.system!, ctx.params.address!);
    if (!module) return answer(ctx, 404, 'module_not_found', `no module ${ctx.params.address} in system ${ctx.params.system}`);
    if (module.status !== 'running')
      return answer(ctx, 409, 'not_here', `${module.address} does not run on this node (it is ${module.status} here)`);
    const read = await readBody(ctx.req, deps.bodyLimit);
    if ('refused' in read) return answer(ctx, 400, 'unreadable', 'the forwarded call could not be read');
    const payload = JSON.parse(read.passed.toString('utf8')) as {
      method: string;
      args?: unknown;
      request?: Omit<WebhookRequest, 'rawBody'> & { rawBody: string };
    };
    try {
      if (ctx.params.op === 'call') {
        ctx.body = { result: (await module.call(payload.method, payload.args)) ?? null };
        return;
      }
      const request = payload.request!;
      const response = await module.handleWebhook(payload.method, {
        ...request,
        rawBody: Buffer.from(request.rawBody, 'base64'),
      });
      ctx.body = { response: response ? { ...response, body: carry(response.body) } : null };
    } catch (error) {
      const invalid = error instanceof ModuleCallInvalid;
      answer(ctx, invalid ? 400 : 502, invalid ? 'invalid_call' : 'module_failed', (error as Error).message);
    }
  });
}
