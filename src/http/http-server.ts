// Listens (HTTP, or HTTPS with the configured certificate) with the limits that keep a
// slow or greedy client from holding the engine: header and whole-request deadlines (408),
// a header size cap (431), keep-alive idle time and the connection caps (503). Closes
// gracefully: stop accepting, let requests in flight finish, cut what is left at the deadline.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import type Koa from 'koa';
import type { ServerConfig } from '../config/schema.js';
import type { Logger } from '../logger.js';
import { ConnectionGate, type ConnectionLimits } from './connection-gate.js';

export interface ServerLimits extends ConnectionLimits {
  requestTimeoutMs: number;
  headersTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxHeaderSize: number;
}

/** A listener's limits as the `server:` section sets them, with the connection caps given. */
export function serverLimits(server: ServerConfig, connections: ConnectionLimits): ServerLimits {
  return {
    requestTimeoutMs: server.request_timeout,
    headersTimeoutMs: server.headers_timeout,
    keepAliveTimeoutMs: server.keep_alive_timeout,
    maxHeaderSize: server.max_header_size,
    ...connections,
  };
}

export interface ListenOptions {
  port: number;
  host: string;
  limits: ServerLimits;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: Buffer; key: Buffer };
  /** Whether a peer is a trusted proxy (exempt from the per-address connection cap). */
  isProxy(peer: string): boolean;
  log: Logger;
}

export interface HttpServer {
  readonly server: Server;
  readonly url: string;
  readonly gate: ConnectionGate;
  close(timeoutMs: number): Promise<void>;
}

export async function listen(app: Koa, options: ListenOptions): Promise<HttpServer> {
  const { limits } = options;
  const handle = app.callback();
  const gate = new ConnectionGate(limits, options.isProxy, options.log);
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    // A refused connection's bytes may already be parsed: they must not reach a trigger.
    if (gate.isRefused(req.socket)) return res.destroy();
    const socket = req.socket;
    gate.requestStarted(socket, performance.now());
    res.once('close', () => gate.requestEnded(socket));
    void handle(req, res);
  };
  const serverOptions = {
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: limits.maxHeaderSize,
    // How often Node looks for requests past their deadline: often enough that a deadline
    // is kept within a fraction of itself (Node's default looks every 30 s).
    connectionsCheckingInterval: Math.min(1_000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4))),
  };
  const server: Server = options.tls
    ? createHttpsServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, onRequest)
    : createHttpServer(serverOptions, onRequest);
  gate.attach(server, options.tls !== undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // The accept queue holds as many connections as the engine takes (Node's default of 511
    // let a burst of 1,000 new connections overflow it: their SYNs dropped, retried after 1 s
    // and more); the kernel still caps it at net.core.somaxconn.
    const backlog = Math.max(511, limits.maxConnections);
    server.listen({ port: options.port, host: options.host, backlog }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Node answers a malformed request, headers over the cap (431) and a missed deadline
  // (408) itself, then closes the socket: no 'clientError' handler of ours is needed.
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `${options.tls ? 'https' : 'http'}://${shownHost}:${address.port}`,
    gate,
    close: (timeoutMs) =>
      new Promise<void>((resolve) => {
        // Requests in flight finish; a slow client cannot hold the shutdown past its own deadline.
        const cut = () => gate.cutStragglers(performance.now(), limits.requestTimeoutMs);
        const stragglers = setInterval(cut, 50);
        const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
        server.close(() => {
          clearInterval(stragglers);
          clearTimeout(deadline);
          resolve();
        });
        cut();
      }),
  };
}
