// The connection pools deliveries go out through: direct, or through `outbound.proxy`
// (an HTTP CONNECT tunnel for https targets, absolute-form requests for http targets).
import http from 'node:http';
import https from 'node:https';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';

export interface OutboundAgents {
  /** The agent for a target's protocol. */
  for(protocol: 'http:' | 'https:'): http.Agent;
  /** Whether a proxy connects to targets (and so resolves their names), not this process. */
  readonly proxied: boolean;
  destroy(): void;
}

const POOL = { keepAlive: true, maxSockets: 64 } as const;

/**
 * Node's own agents without a proxy. With one, the proxy-agents library (TooTallNate's
 * `https-proxy-agent` / `http-proxy-agent`), which plugs into node:http as an `Agent`: a
 * client certificate given on the request is presented inside the CONNECT tunnel, and
 * credentials in the proxy URL are sent as Proxy-Authorization, never to the target.
 */
export function createOutboundAgents(proxy?: string): OutboundAgents {
  const agents = proxy
    ? { 'http:': new HttpProxyAgent(proxy, POOL), 'https:': new HttpsProxyAgent(proxy, POOL) }
    : { 'http:': new http.Agent(POOL), 'https:': new https.Agent(POOL) };
  return {
    for: (protocol) => agents[protocol],
    proxied: proxy !== undefined,
    destroy() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
