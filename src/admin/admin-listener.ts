// The admin listener as a lifecycle part: started after the trigger listener (its URL is
// the base of the trigger URLs it shows), stopped before it. Plain HTTP with the same
// deadlines as the trigger listener; keep it on loopback or behind a TLS proxy.
import type { AdminConfig } from '../config/admin-schema.js';
import type { ServerConfig } from '../config/schema.js';
import { listen, type HttpServer } from '../http/http-server.js';
import type { ConfigGeneration, PartReadiness } from '../http/readiness.js';
import type { Part } from '../lifecycle.js';
import type { AdminApiDeps } from './admin-api.js';
import { createAdminApp } from './admin-app.js';
import { AdminTokens } from './admin-tokens.js';
import { mountAdminPage } from './admin-page.js';
import { OpenStreams } from './stream-route.js';

export interface AdminListenerDeps {
  admin: AdminConfig;
  server: ServerConfig;
  api: AdminApiDeps;
  generation(): ConfigGeneration;
  readiness(): Record<string, PartReadiness>;
  metrics: { text(): Promise<{ contentType: string; body: string }> };
  /** Overrides of the config's address (tests listen on port 0). */
  port?: number;
  host?: string;
}

export function adminPart(deps: AdminListenerDeps): Part<HttpServer> {
  const { admin, server, api } = deps;
  let http: HttpServer | undefined;
  const streams = new OpenStreams();
  return {
    name: 'admin',
    async start() {
      const tokens = new AdminTokens(admin.tokens);
      const app = createAdminApp({
        api,
        tokens,
        streams,
        log: api.log,
        readiness: deps.readiness,
        generation: deps.generation,
        metrics: deps.metrics,
        mount: (router, auth) => mountAdminPage(router, { ...auth, api, tokens }),
      });
      http = await listen(app, {
        port: deps.port ?? admin.port,
        host: deps.host ?? admin.host,
        limits: {
          requestTimeoutMs: server.request_timeout,
          headersTimeoutMs: server.headers_timeout,
          // The live stream's connections stay open: idle keep-alive is the page's business.
          keepAliveTimeoutMs: server.keep_alive_timeout,
          maxHeaderSize: server.max_header_size,
          maxConnections: 256,
          maxConnectionsPerAddress: 64,
        },
        isProxy: () => false,
        log: api.log,
      });
      return http;
    },
    stop() {
      // A stream never ends on its own: ended first, so closing waits for nothing.
      streams.closeAll();
      return http?.close(server.shutdown_timeout);
    },
  };
}
