// The caller's address. Behind a reverse proxy the socket's peer is the proxy; the client
// is then read from X-Forwarded-For, believing only the proxies `server.trust_proxy` names
// (their addresses, or a number of hops), so a client cannot make up its own address.
import type { IncomingMessage } from 'node:http';
import proxyAddr from 'proxy-addr';

export type TrustProxy = false | number | readonly string[];

export interface ClientAddress {
  /** The real client's address for a request. */
  of(req: IncomingMessage): string;
  /** Whether a socket's peer is a trusted proxy (its connections carry many clients). */
  isProxy(peer: string): boolean;
}

export function clientAddress(trust: TrustProxy): ClientAddress {
  if (trust === false) return { of: (req) => req.socket.remoteAddress ?? '', isProxy: () => false };
  const trusted = typeof trust === 'number' ? (_addr: string, hop: number) => hop < trust : proxyAddr.compile([...trust]);
  return {
    of: (req) => (req.socket.remoteAddress ? proxyAddr(req, trusted) : ''),
    isProxy: (peer) => trusted(peer, 0),
  };
}
