// Listens, and closes gracefully: stop accepting, let requests in flight finish,
// then cut what is left when the deadline passes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';

export interface HttpServer {
  readonly server: Server;
  readonly url: string;
  close(timeoutMs: number): Promise<void>;
}

export async function listen(app: Koa, port: number, host: string): Promise<HttpServer> {
  const server = createServer(app.callback());
  // Keep-alive sockets must not outlive a shutdown by minutes.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    url: `http://${shownHost}:${address.port}`,
    close: (timeoutMs) =>
      new Promise<void>((resolve) => {
        const idle = setInterval(() => server.closeIdleConnections(), 50);
        const deadline = setTimeout(() => server.closeAllConnections(), timeoutMs);
        server.close(() => {
          clearInterval(idle);
          clearTimeout(deadline);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
