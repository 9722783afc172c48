// The per-address cap for requests that came through a trusted proxy: the proxy's
// connections carry many clients, so the cap counts requests in flight per real client
// address instead of connections per peer. Over it: 503 with Retry-After.
import type { Middleware } from 'koa';
import { TooManyConnections } from '../errors.js';
import type { ClientAddress } from './client-address.js';

export function clientLimiter(addresses: ClientAddress, maxPerAddress: number): Middleware {
  const inFlight = new Map<string, number>();
  return async (ctx, next) => {
    const peer = ctx.req.socket.remoteAddress ?? '';
    if (!addresses.isProxy(peer)) return next();
    const client = ctx.ip;
    const count = inFlight.get(client) ?? 0;
    if (count >= maxPerAddress) throw new TooManyConnections();
    inFlight.set(client, count + 1);
    try {
      await next();
    } finally {
      const left = (inFlight.get(client) ?? 1) - 1;
      if (left > 0) inFlight.set(client, left);
      else inFlight.delete(client);
    }
  };
}
