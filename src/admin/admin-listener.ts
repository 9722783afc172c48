// The admin listener as a lifecycle part: started after the trigger listener (its URL is
// the base of the trigger URLs it shows), stopped before it. Plain HTTP with the same
// deadlines as the trigger listener; keep it on loopback or behind a TLS proxy.
import type { AdminConfig } from '../config/admin-schema.js';
import type { ServerConfig } from '../config/schema.js';
import { listen, serverLimits, type HttpServer } from '../http/http-server.js';
import type { MetricsEndpoint } from '../http/probe-routes.js';
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
  metrics: MetricsEndpoint;
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
        metrics: deps.metrics,
        mount: (router, auth) => mountAdminPage(router, { ...auth, api, tokens }),
      });
      http = await listen(app, {
        port: deps.port ?? admin.port,
        host: deps.host ?? admin.host,
        // The server's deadlines and header cap; connection caps of its own, for a few operators' pages and streams.
        limits: serverLimits(server, { maxConnections: 256, maxConnectionsPerAddress: 64 }),
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
