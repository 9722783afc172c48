// One error type per failure kind, each with a stable code, an HTTP status and an
// `expose` flag (Koa's idea): what a caller may see is decided here, not at each throw.

export class EngineError extends Error {
  readonly headers: Record<string, string>;
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    options: { expose?: boolean; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.expose = options.expose ?? true;
    this.headers = options.headers ?? {};
  }
  readonly expose: boolean;
}

/** Unknown instance, disabled, webhooks off, or wrong secret: one answer so a prober learns nothing. */
export class TriggerNotFound extends EngineError {
  constructor() {
    super('not_found', 404, 'No trigger at this URL, or the secret is wrong.');
  }
}

export class MethodNotAllowed extends EngineError {
  constructor(method: string, allowed: readonly string[]) {
    super('method_not_allowed', 405, `Method ${method} is not allowed here; use ${allowed.join(', ')}.`, {
      headers: { Allow: allowed.join(', ') },
    });
  }
}

export class RateLimited extends EngineError {
  constructor(requests: number, perMs: number, waitMs: number) {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    super(
      'rate_limited',
      429,
      `More than ${requests} requests per ${formatMs(perMs)} to this trigger URL; retry after ${seconds} s.`,
      { headers: { 'Retry-After': String(seconds) } },
    );
  }
}

/** A period as a person writes it: 1m, 30s, 1500ms. */
function formatMs(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${ms}ms`;
}

export class PayloadTooLarge extends EngineError {
  constructor(limit: number) {
    super('payload_too_large', 413, `The request body is over the limit of ${limit} bytes.`);
  }
}

export class UnsupportedEncoding extends EngineError {
  constructor(encoding: string) {
    super(
      'unsupported_encoding',
      415,
      `Content-Encoding "${encoding.slice(0, 40)}" is not supported; send gzip, deflate, br or none.`,
    );
  }
}

export class BadRequest extends EngineError {
  constructor(code: string, message: string) {
    super(code, 400, message);
  }
}

export class SignatureInvalid extends EngineError {
  constructor(reason: string) {
    super('signature_invalid', 401, `The request signature was not accepted: ${reason}.`);
  }
}

export class ExecForbidden extends EngineError {
  constructor() {
    super('exec_forbidden', 403, 'This trigger instance does not allow exec; set `exec: true` on the instance to allow it.');
  }
}

export class ModuleMethodNotFound extends EngineError {
  constructor(what: string) {
    super('module_not_found', 404, what);
  }
}

/** A module method threw: the caller learns which method, never the internals. */
export class ModuleFailed extends EngineError {
  constructor(target: string, cause: unknown) {
    super('module_error', 500, `${target} failed while handling the request.`, { cause });
  }
}

export class ModuleTimeout extends EngineError {
  constructor(target: string, timeoutMs: number) {
    super('module_timeout', 504, `${target} did not answer within ${timeoutMs} ms.`);
  }
}

/**
 * The store could not commit (locked past the wait, disk full, I/O error). Nothing was
 * stored, so the caller may send again; why is in the engine log and /readyz.
 */
export class StoreUnavailable extends EngineError {
  constructor(
    readonly fault: string,
    detail: string,
    cause?: unknown,
  ) {
    super('store_unavailable', 503, 'The engine cannot store requests right now; nothing was recorded. Try again shortly.', {
      headers: { 'Retry-After': String(STORE_RETRY_AFTER_S) },
      cause: cause ?? new Error(detail),
    });
  }
}

/** What a 503 for a storage fault asks the caller to wait. */
export const STORE_RETRY_AFTER_S = 5;

/** Over the connection cap (in all, or for one address). */
export class TooManyConnections extends EngineError {
  constructor() {
    super('too_many_connections', 503, 'Too many open connections; try again shortly.', { headers: { 'Retry-After': '1' } });
  }
}

export class InternalError extends EngineError {
  constructor(cause: unknown) {
    super('internal_error', 500, 'The engine failed to handle the request; see the engine log.', { cause, expose: false });
  }
}

/** The one mapping from an error to what the caller sees. */
export function errorResponse(error: unknown): {
  status: number;
  headers: Record<string, string>;
  body: { error: string; message: string };
} {
  const known = error instanceof EngineError ? error : new InternalError(error);
  return {
    status: known.status,
    headers: known.headers,
    body: {
      error: known.code,
      message: known.expose ? known.message : 'The engine failed to handle the request; see the engine log.',
    },
  };
}

/**
 * Every code a refused request is logged with (the request log's `outcome`): the codes of
 * the error types above, those BadRequest is given, and request_timeout (a body that
 * server.request_timeout cut off). too_many_connections is answered before a request is
 * read, so it is never logged.
 */
export const REFUSAL_CODES = [
  'not_found',
  'method_not_allowed',
  'rate_limited',
  'payload_too_large',
  'unsupported_encoding',
  'body_incomplete',
  'body_malformed',
  'body_unreadable',
  'signature_invalid',
  'bad_parameter',
  'missing_parameter',
  'exec_forbidden',
  'module_not_found',
  'module_error',
  'module_timeout',
  'request_timeout',
  'store_unavailable',
  'internal_error',
] as const;
