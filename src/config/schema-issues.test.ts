// zod's issues as problems: one per unknown key at that key, and a typo told once.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { describeIssues } from './schema-issues.js';

const issuesOf = (schema: z.ZodType, value: unknown) => {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected a refusal');
  return describeIssues(parsed.error.issues, schema).map(({ path, message }) => `${path.join('.')}  ${message}`);
};

describe('describeIssues', () => {
  const schema = z.strictObject({
    state: z.boolean(),
    level: z.number().optional(),
    nested: z.strictObject({ input: z.string() }).optional(),
  });

  it('reports each unknown key at its own path with the nearest known key', () => {
    expect(issuesOf(schema, { state: true, levl: 1, colour: 'red', nested: { inptu: 'x', input: 'y' } })).toEqual([
      'nested.inptu  Unrecognized key: "inptu"; did you mean "input"?',
      'levl  Unrecognized key: "levl"; did you mean "level"?',
      'colour  Unrecognized key: "colour"',
    ]);
  });

  it('does not also report as missing the key a misspelt one is meant to be', () => {
    expect(issuesOf(schema, { sate: true })).toEqual(['sate  Unrecognized key: "sate"; did you mean "state"?']);
  });

  it('still reports a missing key that no unknown key is near', () => {
    expect(issuesOf(schema, { colour: true })).toEqual([
      'colour  Unrecognized key: "colour"',
      'state  Invalid input: expected boolean, received undefined',
    ]);
  });
});
