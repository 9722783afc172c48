// A request's body read back from the request log, which keeps it whole (as it arrived,
// unless something in it had to be redacted: see storedBody): as a resumed run's templates
// read it (parsed the way the fresh run saw it), and as the log shows it (redacted, which
// changes nothing in a body already redacted, and cut at log_body_limit).
import { parseBody } from './checks/parse-body.js';
import { loggedBody } from './logged-request.js';
import { mediaKindOf } from './media-kind.js';
import type { RedactPaths } from './redact-paths.js';

/** What the request log keeps that the body's meaning depends on. */
export interface StoredRequest {
  body: Buffer | null;
  /** The stored headers, as JSON: their content-type says how to read the body. */
  headers: string;
}

// The body passed the depth check when it arrived; reading it back must not refuse it.
const NO_DEPTH_LIMIT = Number.POSITIVE_INFINITY;

function contentTypeOf(headers: string): string | undefined {
  try {
    const value = (JSON.parse(headers) as Record<string, unknown>)['content-type'];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

function read(stored: StoredRequest) {
  const raw = stored.body ?? Buffer.alloc(0);
  const kind = mediaKindOf(contentTypeOf(stored.headers));
  const parsed = parseBody(raw, kind, NO_DEPTH_LIMIT);
  return { raw, kind, parsed: 'passed' in parsed ? parsed.passed.parsed : undefined };
}

/** The body as templates read it: parsed JSON or form fields, else its text, null when empty (as a fresh run has it). */
export function templateBody(stored: StoredRequest): unknown {
  const { raw, parsed } = read(stored);
  return parsed ?? (raw.length > 0 ? raw.toString('utf8') : null);
}

/** The body as the log shows it: redacted, and cut at `cap` bytes. */
export function shownBody(stored: StoredRequest, cap: number, paths: RedactPaths): { body: Buffer | null; truncated: boolean } {
  const { raw, kind, parsed } = read(stored);
  return loggedBody(raw, parsed, kind, cap, paths.body);
}
