// The inbound bench's in-process yardsticks: a bare node:http server (the ceiling the aims
// are measured against) and a Koa app with the engine's routes that does no work (how much
// of the gap to the bare server is the framework's). Both answer the fire request the same
// way: read the body, compare the secret in constant time, answer 202 {"fired":true}.
import Router from '@koa/router';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { listenLocally, type Listening } from './listen.js';

/** The body both servers (and the engine) answer an accepted fire with. */
export const FIRED_BODY = JSON.stringify({ fired: true });

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** node:http and nothing else: the most this machine answers for the same request. */
export async function startBare(secret: string): Promise<Listening> {
  const expected = digest(secret);
  const refused = JSON.stringify({ error: 'not_found' });
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const given = q >= 0 ? new URLSearchParams(url.slice(q + 1)).get('secret') : null;
    // Read the body like the engine does, then answer.
    req.on('end', () => {
      const ok = given !== null && timingSafeEqual(expected, digest(given));
      res.writeHead(ok ? 202 : 404, { 'content-type': 'application/json; charset=utf-8' });
      res.end(ok ? FIRED_BODY : refused);
    });
    req.resume();
  });
  return listenLocally(server);
}

/**
 * A reference, not an aim: the same Koa + @koa/router stack the engine uses, reading
 * the body and checking the secret but doing nothing else.
 */
export async function startKoaFloor(secret: string): Promise<Listening> {
  const expected = digest(secret);
  const app = new Koa();
  const router = new Router();
  const handler = async (ctx: Koa.Context) => {
    const given = ctx.query.secret;
    await getRawBody(ctx.req, { limit: 1024 * 1024 });
    const ok = typeof given === 'string' && timingSafeEqual(expected, digest(given));
    ctx.status = ok ? 202 : 404;
    ctx.body = ok ? { fired: true } : { error: 'not_found' };
  };
  for (const prefix of ['', '/api/engine/v2']) {
    for (const form of [
      '/webhook/:trigger/notify',
      '/webhook/:trigger/notify/:secret',
      '/webhook/:trigger/notify/:secret/:mod/:index/:method',
    ])
      router.all(prefix + form, handler);
  }
  app.use(router.routes());
  return listenLocally(createServer(app.callback()));
}
