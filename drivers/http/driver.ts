// Calls an external HTTP API: one base URL and default headers per module, one request per call.
import { defineDriver, z } from '../../src/drivers/api.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** Answers are read up to this size so one huge response cannot swamp the engine or its state. */
const MAX_BODY_BYTES = 64 * 1024;

const headersSchema = z.record(z.string(), z.string());

export const driver = defineDriver({
  name: 'http',
  module: 'Http',
  description: 'Calls an external HTTP API at base_url, with default headers and a timeout.',
  settings: z.strictObject({
    base_url: z
      .url({ protocol: /^https?$/ })
      // fetch refuses URLs with user:password in them, and they would leak into error messages.
      .refine((url) => !/^[a-z]+:\/\/[^/?#]*@/i.test(url), 'base_url must not hold credentials; put them in headers'),
    headers: headersSchema.default({}),
    timeout_ms: z.number().int().positive().default(10_000),
  }),
  state: z.object({
    last_status: z.number().nullable(),
    last_error: z.string().nullable(),
    last_called_at: z.number().nullable(),
    requests: z.number(),
  }),
  initialState: () => ({ last_status: null, last_error: null, last_called_at: null, requests: 0 }),
  methods: {
    request: {
      description: 'Sends one request to base_url + path; answers { status, body } or throws on a non-2xx answer.',
      args: z.strictObject({
        method: z.enum(METHODS).default('POST'),
        path: z.string().default(''),
        headers: headersSchema.default({}),
        body: z.unknown().optional(),
        timeout_ms: z.number().int().positive().optional(),
      }),
      run: async (ctx, args) => {
        const url = joinUrl(ctx.settings.base_url, args.path);
        const headers = mergeHeaders(ctx.settings.headers, args.headers);
        const timeoutMs = args.timeout_ms ?? ctx.settings.timeout_ms;
        const what = `${args.method} ${describe(url)}`;
        let body: string | undefined;
        if (args.body !== undefined) {
          if (args.method === 'GET') throw new Error(`${what}: a GET request cannot carry a body`);
          body = typeof args.body === 'string' ? args.body : JSON.stringify(args.body);
          if (typeof args.body !== 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
        }

        const calledAt = ctx.clock.now();
        const record = (status: number | null, error: string | null) =>
          ctx.setState({ last_status: status, last_error: error, last_called_at: calledAt, requests: ctx.state.requests + 1 });

        let status: number | null = null;
        try {
          // redirect: 'manual' so a redirect cannot carry our headers to another host.
          const response = await fetch(url, {
            method: args.method,
            headers,
            body,
            redirect: 'manual',
            signal: AbortSignal.timeout(timeoutMs),
          });
          status = response.status;
          if (status < 200 || status > 299) {
            await response.body?.cancel();
            const hint = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
            throw new HttpAnswerError(`${what} answered ${status}${hint}`);
          }
          const answer = await readBody(response);
          record(status, null);
          return { status, ...answer };
        } catch (error) {
          const message = failureMessage(error, what, timeoutMs);
          record(status, message);
          throw new Error(message);
        }
      },
    },
  },
});

/** A non-2xx answer, already worded; kept apart from network failures so it is not reworded. */
class HttpAnswerError extends Error {}

function failureMessage(error: unknown, what: string, timeoutMs: number): string {
  if (error instanceof HttpAnswerError) return error.message;
  const name = (error as Error | undefined)?.name;
  if (name === 'TimeoutError') return `${what} did not answer within ${timeoutMs} ms`;
  // fetch reports network failures as "fetch failed" with the real reason in `cause`.
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  return `${what} failed: ${cause?.code ?? cause?.message ?? (error as Error).message}`;
}

/** Appends `path` to the base URL; a path that names another host is refused, not followed. */
function joinUrl(baseUrl: string, path: string): URL {
  if (/^[a-z][a-z\d+.-]*:/i.test(path) || /^[\\/]{2}/.test(path)) {
    throw new Error(`path must be relative to base_url; got an absolute URL`);
  }
  const base = new URL(baseUrl);
  const separator = path === '' || path.startsWith('/') || path.startsWith('?') ? '' : '/';
  const url = new URL(baseUrl.replace(/\/+$/, '') + separator + path);
  if (url.origin !== base.origin) throw new Error(`path must stay on ${base.origin}`);
  return url;
}

/** Settings headers first, the call's own override them (names compare case-insensitively). */
function mergeHeaders(...sources: Record<string, string>[]): Headers {
  const headers = new Headers();
  for (const source of sources) {
    for (const [name, value] of Object.entries(source)) {
      try {
        headers.set(name, value);
      } catch {
        // The runtime's own message quotes the value, which may be a credential.
        throw new Error(`header "${name}" has an invalid name or value`);
      }
    }
  }
  return headers;
}

/** The URL for messages: no query string, since APIs often take keys there. */
function describe(url: URL): string {
  return url.origin + url.pathname;
}

/** Reads at most MAX_BODY_BYTES; JSON when the answer says so and parses, text otherwise. */
async function readBody(response: Response): Promise<{ body: unknown; truncated?: true }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  if (response.body) {
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        truncated = true;
        await reader.cancel();
        break;
      }
    }
  }
  const text = Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
  if (truncated) return { body: text, truncated: true };
  if (/\bjson\b/i.test(response.headers.get('content-type') ?? '') && text !== '') {
    try {
      return { body: JSON.parse(text) };
    } catch {
      // A server that labels non-JSON as JSON still gets its answer through, as text.
    }
  }
  return { body: text };
}
