// zod's issues as problems to show: each unknown key on its own, at that key, with the key it is
// likely meant to be; every other issue with zod's message at its path, except the "missing" of
// a key an unknown key is likely meant to be (one typo, one problem).
import type { z } from 'zod';
import { keysAt } from './schema-walk.js';
import { meantKey, unknownKeyMessage } from './unknown-key.js';

export interface IssueProblem {
  path: (string | number)[];
  message: string;
  /** zod's code (`invalid_type`, `custom`…), `unrecognized_keys` for each unknown key. */
  code: string;
}

export function pathOf(issue: z.core.$ZodIssue): (string | number)[] {
  return issue.path.map((part) => (typeof part === 'number' ? part : String(part)));
}

/** The issues of parsing with `schema`, unknown keys one by one (`listKnown`: see unknownKeyMessage). */
export function describeIssues(issues: readonly z.core.$ZodIssue[], schema: z.ZodType, listKnown = false): IssueProblem[] {
  const found: IssueProblem[] = [];
  /** Paths (as JSON) of keys an unknown key is likely meant to be. */
  const meant = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const path = pathOf(issue);
    const known = keysAt(schema, path);
    for (const key of issue.keys) {
      found.push({ path: [...path, key], message: unknownKeyMessage(key, known, listKnown), code: issue.code });
      const meaning = meantKey(key, known);
      if (meaning !== undefined) meant.add(JSON.stringify([...path, meaning]));
    }
  }
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') continue;
    const path = pathOf(issue);
    const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
    if (missing && meant.has(JSON.stringify(path))) continue;
    found.push({ path, message: issue.message, code: issue.code });
  }
  return found;
}
