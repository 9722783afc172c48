// Listening a bench's own HTTP server on 127.0.0.1 at a free port (the benches never talk to any other address).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The only address the benches listen on or talk to. */
export const HOST = '127.0.0.1';

export interface Listening {
  /** http://127.0.0.1:port, no trailing slash. */
  url: string;
  /** Stops listening and drops keep-alive connections; later calls get the same promise. */
  close(): Promise<void>;
}

export async function listenLocally(server: Server, keepAliveTimeoutMs = 5_000): Promise<Listening> {
  server.keepAliveTimeout = keepAliveTimeoutMs;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${HOST}:${port}`,
    close: () =>
      (closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}
