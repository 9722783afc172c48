// The value a request is keyed by (an idempotency key, a debounce or rate-limit key): a
// template over the request, rendered to text. A long value is kept as its digest: keys
// are stored, and a sender's header may be as long as the server lets it be.
import { createHash } from 'node:crypto';
import { render, TemplateError, type TemplateInput } from '../triggers/template.js';

/** Longer values are kept as `sha256:` and their digest. */
const LONGEST_KEPT = 200;

/** The key, or undefined when the request does not have it (an empty or missing value). */
export function requestKey(template: string, input: TemplateInput): string | undefined {
  let value: unknown;
  try {
    value = render(template, input);
  } catch (error) {
    // The config check refuses malformed templates; one that still fails has no key.
    if (error instanceof TemplateError) return undefined;
    throw error;
  }
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (text === '') return undefined;
  return text.length <= LONGEST_KEPT ? text : `sha256:${createHash('sha256').update(text).digest('base64url')}`;
}
