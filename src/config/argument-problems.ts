// Checks the constant arguments of a `call` against the method's argument schema before any
// fire. A value that is one whole template expression (`"{{ body.on }}"`) has a type known only
// at run time, so nothing is said about it; text around an expression makes a string whatever
// the expression gives, so only its type is checked. Unknown argument names are always told.
import type { z } from 'zod';
import { describeIssues } from './schema-issues.js';

/** How a string uses templates: `whole` is one expression, `inside` has text around one, `none` has none. */
export type TemplateUse = 'whole' | 'inside' | 'none';

export interface ArgumentProblem {
  /** Below the action's `args`. */
  path: (string | number)[];
  /** Names the argument: `state: expected boolean, received string`. */
  message: string;
}

// Templates nest no deeper (template.ts); deeper arguments are its problem, not a type to check.
const MAX_DEPTH = 16;

export function argumentProblems(
  args: Readonly<Record<string, unknown>>,
  schema: z.ZodType,
  templateUse: (text: string) => TemplateUse,
): ArgumentProblem[] {
  const parsed = schema.safeParse(args);
  if (parsed.success) return [];
  const templated = templatedPaths(args, templateUse);
  const problems: ArgumentProblem[] = [];
  for (const { path, message, code } of describeIssues(parsed.error.issues, schema, true)) {
    if (code === 'unrecognized_keys') problems.push({ path, message });
    else if (!templated.hides(path, code)) problems.push({ path, message: argumentMessage(path, message) });
  }
  return problems;
}

function argumentMessage(path: (string | number)[], message: string): string {
  const name = path.join('.');
  const expected = /^Invalid input: expected (.+), received undefined$/.exec(message);
  if (expected && name) return `${name} is missing (expected ${expected[1]})`;
  const text = message.replace(/^Invalid input: /, '');
  return name ? `${name}: ${text}` : text;
}

interface Templated {
  /** Whether a template makes the issue at `path` unknowable before the run. */
  hides(path: readonly (string | number)[], code: string): boolean;
}

function templatedPaths(args: unknown, templateUse: (text: string) => TemplateUse): Templated {
  // For each use: the paths of its strings, and every path above one of them.
  const at = { whole: new Set<string>(), inside: new Set<string>() };
  const above = { whole: new Set<string>(), inside: new Set<string>() };
  const walk = (value: unknown, path: (string | number)[]): void => {
    if (typeof value === 'string') {
      const use = templateUse(value);
      if (use === 'none') return;
      at[use].add(keyOf(path));
      for (let depth = 0; depth < path.length; depth++) above[use].add(keyOf(path.slice(0, depth)));
    } else if (value !== null && typeof value === 'object' && path.length < MAX_DEPTH) {
      for (const [key, item] of Object.entries(value)) walk(item, [...path, Array.isArray(value) ? Number(key) : key]);
    }
  };
  walk(args, []);
  const touches = (use: TemplateUse & keyof typeof at, path: readonly (string | number)[]) => {
    if (above[use].has(keyOf(path))) return true;
    for (let depth = 0; depth <= path.length; depth++) if (at[use].has(keyOf(path.slice(0, depth)))) return true;
    return false;
  };
  return { hides: (path, code) => touches('whole', path) || (code !== 'invalid_type' && touches('inside', path)) };
}

const keyOf = (path: readonly (string | number)[]): string => JSON.stringify(path);
