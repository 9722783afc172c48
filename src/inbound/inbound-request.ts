// What the checks need to know of a request to a trigger URL, taken from Koa once: the
// route's parameters (by name, so the secret is known for what it is), query, headers and
// the caller's address.
import type { IncomingHttpHeaders } from 'node:http';

export type MediaKind = 'json' | 'form' | 'other';

export interface InboundRequest {
  method: string;
  /** The route pattern that matched, such as `/webhook/:trigger/notify/:secret`. */
  route: string;
  params: Readonly<Record<string, string | undefined>>;
  query: Readonly<Record<string, string | string[] | undefined>>;
  headers: IncomingHttpHeaders;
  /** The caller's address; behind a trusted proxy, the one the proxy was called from. */
  clientIp: string;
  /** What the content type says the body is. */
  mediaKind: MediaKind;
  receivedAt: number;
}

export function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The instance id the URL names (bounded: it is stored in the request log). */
export function instanceIdOf(request: InboundRequest): string {
  return (request.params.trigger ?? '').slice(0, 200);
}

/** The secret the URL carries, in its path or its query. */
export function secretOf(request: InboundRequest): string | undefined {
  return request.params.secret ?? first(request.query.secret);
}
