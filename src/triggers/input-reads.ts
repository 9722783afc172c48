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

/** The input with only the parts in `reads` (the others empty), as a run stores it. */
export function storedInput(input: TemplateInput, reads: ReadonlySet<InputPart>): TemplateInput {
  return {
    method: reads.has('method') ? input.method : '',
    body: reads.has('body') ? input.body : null,
    query: reads.has('query') ? input.query : {},
    headers: reads.has('headers') ? input.headers : {},
  };
}
