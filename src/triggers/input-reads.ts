// Which parts of a request a trigger's actions read through templates ({{ body.x }},
// {{ headers.y }}, …): a run stores only those, so a fire whose actions read nothing of the
// request does not keep a second copy of its body and headers (the request log has them).
// Unread parts cannot change what a resumed run renders, so resuming is unaffected.
import { TEMPLATE_EXPRESSION, type TemplateInput } from './template.js';

export type InputPart = keyof TemplateInput;

/** The parts of the request any string anywhere in `actions` reads. */
export function inputReads(actions: unknown): ReadonlySet<InputPart> {
  const reads = new Set<InputPart>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      for (const match of value.matchAll(TEMPLATE_EXPRESSION)) {
        const root = match[1]!.split('.')[0];
        if (root === 'method' || root === 'body' || root === 'query' || root === 'headers') reads.add(root);
      }
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') Object.values(value).forEach(visit);
  };
  visit(actions);
  return reads;
}

/** In a stored input: the body is the request's, kept once in its request-log row. */
const BODY_FROM_REQUEST = 'body_from_request';

/**
 * What a run stores of its input: only the parts in `reads`, as JSON (`{}` when it reads
 * nothing). With `bodyInRequest` the body is not copied: the run's request-log row keeps
 * it whole, and a resumed run reads it from there (`bodyFromRequest`).
 */
export function storedInput(input: TemplateInput, reads: ReadonlySet<InputPart>, bodyInRequest = false): string {
  const kept: Record<string, unknown> = {};
  for (const part of reads) {
    if (part === 'body' && bodyInRequest) kept[BODY_FROM_REQUEST] = true;
    else kept[part] = input[part];
  }
  return JSON.stringify(kept);
}

/** A stored input back as templates read it: the parts not stored are empty (the body too, when it is the request's). */
export function inputOf(stored: string): TemplateInput {
  const kept = JSON.parse(stored) as Partial<TemplateInput>;
  return { method: kept.method ?? '', body: kept.body ?? null, query: kept.query ?? {}, headers: kept.headers ?? {} };
}

/** Whether a stored input's body is to be read from the run's request-log row. */
export function bodyFromRequest(stored: string): boolean {
  return (JSON.parse(stored) as Record<string, unknown>)[BODY_FROM_REQUEST] === true;
}
