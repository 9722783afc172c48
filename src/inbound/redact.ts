// Removes secrets before anything is logged or stored: the trigger secret from the
// path and query, credentials from headers, and secret-looking fields from JSON bodies.

export const REDACTED = '[redacted]';
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie)$|secret|token|password|api[-_]?key|signature/i;
const SECRET_FIELD = /secret|password|passwd|token|api[-_]?key/i;
const MAX_REDACT_DEPTH = 32;

/** `/webhook/trig-x/notify/SECRET/Display/1/power?secret=S&x=1` → secret parts replaced, query without `secret`. */
export function redactUrl(path: string, querystring: string, secretInPath: string | undefined): string {
  let safePath = path;
  if (secretInPath !== undefined) {
    const segments = path.split('/');
    const at = segments.indexOf('notify');
    if (at >= 0 && at + 1 < segments.length) segments[at + 1] = REDACTED;
    safePath = segments.join('/');
  }
  const query = new URLSearchParams(querystring);
  query.delete('secret');
  const rest = query.toString();
  return rest ? `${safePath}?${rest}` : safePath;
}

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADER.test(name) ? REDACTED : value;
  }
  return out;
}

export function queryWithoutSecret(query: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(query)) if (name !== 'secret' && value !== undefined) out[name] = value;
  return out;
}

/** A copy of a parsed body with secret-looking fields replaced. */
export function redactFields(value: unknown, depth = 0): unknown {
  if (depth > MAX_REDACT_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactFields(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_FIELD.test(k) ? REDACTED : redactFields(v, depth + 1)]),
    );
  }
  return value;
}

/** The body as the request log keeps it: secret fields of JSON removed, cut at `cap` bytes. */
export function bodyForLog(
  raw: Buffer,
  parsed: unknown,
  isJson: boolean,
  cap: number,
): { body: Buffer | null; truncated: boolean } {
  if (raw.length === 0) return { body: null, truncated: false };
  let bytes = raw;
  if (isJson && parsed !== undefined) bytes = Buffer.from(JSON.stringify(redactFields(parsed)));
  else if (isJson || /secret|password|token/i.test(raw.subarray(0, cap).toString('latin1'))) {
    // Unparsed text that may hold a credential is not kept at all.
    return { body: Buffer.from(REDACTED), truncated: true };
  }
  return bytes.length > cap ? { body: bytes.subarray(0, cap), truncated: true } : { body: bytes, truncated: false };
}
