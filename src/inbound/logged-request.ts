// What the request log keeps of a request: the path rebuilt from the route that matched
// with its secret parameter replaced (never by position: an instance may be called
// `notify`), the query without the secret, and headers and body through the one redaction.
import { redact, REDACTED } from '../redact.js';
import type { InboundRequest, MediaKind } from './inbound-request.js';

/** The path and query as logged and as events carry it. */
export function loggedPath(request: InboundRequest): string {
  const path = request.route.replace(/:([a-z]+)/g, (_, name: string) =>
    name === 'secret' ? REDACTED : encodeURIComponent(request.params[name] ?? ''),
  );
  const query = loggedQuery(request.query).toString();
  return query ? `${path}?${query}` : path;
}

/** The query without the trigger secret, secret-looking values redacted. */
export function queryWithoutSecret(query: InboundRequest['query']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(query)) if (name !== 'secret' && value !== undefined) out[name] = value;
  return out;
}

function loggedQuery(query: InboundRequest['query']): URLSearchParams {
  const kept = redact(queryWithoutSecret(query)) as Record<string, string | string[]>;
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(kept))
    for (const one of Array.isArray(value) ? value : [value]) params.append(name, one);
  return params;
}

/** The body as the request log keeps it: fields redacted, cut at `cap` bytes. */
export function loggedBody(
  raw: Buffer | undefined,
  parsed: unknown,
  kind: MediaKind,
  cap: number,
): { body: Buffer | null; truncated: boolean } {
  if (!raw || raw.length === 0) return { body: null, truncated: false };
  let bytes: Buffer;
  if (parsed !== undefined && kind === 'json') bytes = Buffer.from(JSON.stringify(redact(parsed)));
  else if (parsed !== undefined && kind === 'form')
    bytes = Buffer.from(new URLSearchParams(redact(parsed) as Record<string, string>).toString());
  else if (kind !== 'other' || /secret|password|token/i.test(raw.subarray(0, cap).toString('latin1'))) {
    // A body that could not be read as fields and may hold a credential is not kept at all.
    return { body: Buffer.from(REDACTED), truncated: true };
  } else bytes = raw;
  return bytes.length > cap ? { body: bytes.subarray(0, cap), truncated: true } : { body: bytes, truncated: false };
}

export function loggedHeaders(headers: InboundRequest['headers']): string {
  return JSON.stringify(redact(headers));
}
