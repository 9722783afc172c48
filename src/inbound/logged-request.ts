// What the request log keeps of a request: the path rebuilt from the route that matched
// with its secret parameter replaced (never by position: an instance may be called
// `notify`), the query without the secret, and headers and body through the one redaction.
import { needsRedaction, redact, REDACTED } from '../redact.js';
import type { InboundRequest, MediaKind } from './inbound-request.js';
import { NO_PATHS, reachesAny, redactPaths, type RedactPaths } from './redact-paths.js';

/** The path and query as logged and as events carry it. */
export function loggedPath(request: InboundRequest, paths: RedactPaths = NO_PATHS): string {
  let path = '';
  for (const part of routeParts(request.route))
    path +=
      part.param === undefined
        ? part.text
        : part.param === 'secret'
          ? REDACTED
          : encodeURIComponent(request.params[part.param] ?? '');
  const query = loggedQuery(request.query, paths.query).toString();
  return query ? `${path}?${query}` : path;
}

/** A route pattern cut once into its literal text and its parameters (there are six routes, each logged on every request). */
type RoutePart = { text: string; param?: undefined } | { param: string };
const ROUTE_PARTS = new Map<string, readonly RoutePart[]>();

function routeParts(route: string): readonly RoutePart[] {
  let parts = ROUTE_PARTS.get(route);
  if (!parts) {
    parts = route.split(/(:[a-z]+)/).map((piece) => (piece.startsWith(':') ? { param: piece.slice(1) } : { text: piece }));
    ROUTE_PARTS.set(route, parts);
  }
  return parts;
}

/** The query without the trigger secret, secret-looking values redacted. */
export function queryWithoutSecret(query: InboundRequest['query']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(query)) if (name !== 'secret' && value !== undefined) out[name] = value;
  return out;
}

function loggedQuery(query: InboundRequest['query'], paths: readonly string[][]): URLSearchParams {
  // Most trigger URLs carry the secret alone.
  if (Object.keys(query).every((name) => name === 'secret')) return new URLSearchParams();
  const kept = redact(queryWithoutSecret(query)) as Record<string, string | string[]>;
  redactPaths(kept, paths);
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(kept))
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, one);
  return params;
}

/**
 * The body as the request log stores it, whole (up to body_limit, which the route enforced).
 * A body with nothing to redact is kept as it arrived, byte for byte (`asReceived`): a run
 * that reads it refers to it instead of keeping a copy, and a request can be replayed from
 * it. JSON or form fields with secret-looking names, or values at the trigger's `redact`
 * paths, are stored redacted (then a run keeps what it reads itself); a body declared JSON
 * that could not be parsed is not kept; other types are kept as they came.
 */
export function storedBody(
  raw: Buffer | undefined,
  parsed: unknown,
  kind: MediaKind,
  paths: readonly string[][] = [],
): { body: Buffer | null; asReceived: boolean } {
  if (!raw || raw.length === 0) return { body: null, asReceived: false };
  if (parsed !== undefined && kind !== 'other' && (needsRedaction(parsed) || reachesAny(parsed, paths))) {
    return { body: loggedBody(raw, parsed, kind, Number.POSITIVE_INFINITY, paths).body, asReceived: false };
  }
  if (parsed === undefined && kind === 'json') return { body: Buffer.from(REDACTED), asReceived: false };
  return { body: raw, asReceived: true };
}

/**
 * The body as the request log shows it, cut at `cap` bytes: JSON and form fields with
 * secret-looking names redacted, and the trigger's own `redact` paths. Other types are kept
 * as they came (a text body is never dropped because a word in it looks like a secret); a
 * body declared JSON that could not be parsed is not kept, since its fields cannot be told apart.
 */
export function loggedBody(
  raw: Buffer | undefined,
  parsed: unknown,
  kind: MediaKind,
  cap: number,
  paths: readonly string[][] = [],
): { body: Buffer | null; truncated: boolean } {
  if (!raw || raw.length === 0) return { body: null, truncated: false };
  let bytes: Buffer;
  if (parsed !== undefined && kind !== 'other') {
    const kept = redact(parsed);
    redactPaths(kept, paths);
    bytes = Buffer.from(kind === 'json' ? JSON.stringify(kept) : new URLSearchParams(kept as Record<string, string>).toString());
  } else if (kind === 'json') return { body: Buffer.from(REDACTED), truncated: true };
  else bytes = raw;
  return bytes.length > cap ? { body: bytes.subarray(0, cap), truncated: true } : { body: bytes, truncated: false };
}

export function loggedHeaders(headers: InboundRequest['headers'], paths: readonly string[][] = []): string {
  const kept = redact(headers);
  redactPaths(kept, paths);
  return JSON.stringify(kept);
}
