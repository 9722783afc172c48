// A small, safe template syntax for action arguments: `{{ body.user.name }}`,
// `{{ query.room }}`, `{{ headers.x-request-id }}`, `{{ method }}`. No eval: an
// expression is a dotted path into the request, walked over own properties only.
// A string that is one expression keeps the value's type; otherwise values are
// interpolated as text.

export interface TemplateInput {
  method: string;
  body: unknown;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
}

/** One `{{ path }}` expression in a string; its group is the path. */
export const TEMPLATE_EXPRESSION = /\{\{\s*([^{}]*?)\s*\}\}/g;
const WHOLE = /^\{\{\s*([^{}]*?)\s*\}\}$/;
const SEGMENT = /^[A-Za-z0-9_-]+$/;
const ROOTS = new Set(['method', 'body', 'query', 'headers']);
const MAX_SEGMENTS = 16;
const MAX_DEPTH = 16;

export class TemplateError extends Error {}

/** Problems with the expressions in `value`, for config checks. */
export function templateProblems(value: unknown, depth = 0): string[] {
  if (depth > MAX_DEPTH) return [`arguments nest deeper than ${MAX_DEPTH} levels`];
  if (typeof value === 'string') return [...value.matchAll(TEMPLATE_EXPRESSION)].flatMap((m) => pathProblem(m[1]!) ?? []);
  if (Array.isArray(value)) return value.flatMap((v) => templateProblems(v, depth + 1));
  if (value && typeof value === 'object') return Object.values(value).flatMap((v) => templateProblems(v, depth + 1));
  return [];
}

function pathProblem(expression: string): string | undefined {
  const segments = expression.split('.');
  if (!ROOTS.has(segments[0]!)) return `"{{ ${expression} }}" must start with one of: ${[...ROOTS].join(', ')}`;
  if (segments.length > MAX_SEGMENTS) return `"{{ ${expression} }}" is deeper than ${MAX_SEGMENTS} steps`;
  if (!segments.every((s) => SEGMENT.test(s)))
    return `"{{ ${expression} }}" is not a dotted path of letters, digits, "-" and "_"`;
  return undefined;
}

/** Whether `value` holds a `{{ … }}` expression anywhere (its rendering then depends on the input). */
export function isTemplated(value: unknown, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (typeof value === 'string') return value.includes('{{');
  if (Array.isArray(value)) return value.some((v) => isTemplated(v, depth + 1));
  if (value && typeof value === 'object') return Object.values(value).some((v) => isTemplated(v, depth + 1));
  return false;
}

export function render(value: unknown, input: TemplateInput, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new TemplateError(`arguments nest deeper than ${MAX_DEPTH} levels`);
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole) return lookup(whole[1]!, input);
    return value.replace(TEMPLATE_EXPRESSION, (_, expression: string) => text(lookup(expression, input)));
  }
  if (Array.isArray(value)) return value.map((v) => render(v, input, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, input, depth + 1)]));
  }
  return value;
}

function lookup(expression: string, input: TemplateInput): unknown {
  const problem = pathProblem(expression);
  if (problem) throw new TemplateError(problem);
  let current: unknown = input;
  for (const segment of expression.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
