// The one redaction of the engine: every copy of outside data that is logged, stored for
// reading, printed by the CLI or sent in an event goes through `redact`, which replaces
// the values of secret-looking keys (headers and fields alike) at any depth.

export const REDACTED = '[redacted]';

const SECRET_KEY = /secret|passw(or)?d|token|api[-_]?key|authorization|cookie|signature|credential|private[-_]?key/i;

/** Deeper than this nothing is inspected, so nothing is shown either. */
export const MAX_REDACT_DEPTH = 32;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

/**
 * A copy of `value` with the value of every secret-looking key replaced by `[redacted]`.
 * Plain objects and arrays are walked; anything else (strings, numbers, Buffers, Errors,
 * Dates) is returned as it is. Nothing below MAX_REDACT_DEPTH is kept.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_REDACT_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const kept = isSecretKey(key) ? REDACTED : redact(item, depth + 1);
    // `__proto__` from JSON.parse is plain data: keep it as an own key, never as a prototype.
    if (key === '__proto__')
      Object.defineProperty(out, key, { value: kept, enumerable: true, writable: true, configurable: true });
    else out[key] = kept;
  }
  return out;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** Whether `redact` would change `value`: a secret-looking key at any depth, or anything below MAX_REDACT_DEPTH. */
export function needsRedaction(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (depth >= MAX_REDACT_DEPTH) return true;
  if (Array.isArray(value)) return value.some((item) => needsRedaction(item, depth + 1));
  if (!isPlainObject(value)) return false;
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined && (isSecretKey(key) || needsRedaction(item, depth + 1))) return true;
  }
  return false;
}
