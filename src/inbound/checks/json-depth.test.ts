// The nesting scan: brackets inside strings and escaped quotes do not count; the limit is exact.
import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from './json-depth.js';

const bytes = (text: string) => Buffer.from(text);
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('nestsDeeperThan', () => {
  it('accepts exactly the limit and refuses one more', () => {
    expect(nestsDeeperThan(bytes(nested(64)), 64)).toBe(false);
    expect(nestsDeeperThan(bytes(nested(65)), 64)).toBe(true);
    expect(nestsDeeperThan(bytes('{"a":{"b":[1,{"c":2}]}}'), 4)).toBe(false);
    expect(nestsDeeperThan(bytes('{"a":{"b":[1,{"c":2}]}}'), 3)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    expect(nestsDeeperThan(bytes(`{"a":"${'['.repeat(100)}"}`), 1)).toBe(false);
    expect(nestsDeeperThan(bytes(`{"a":"\\"[[[[","b":1}`), 1)).toBe(false);
    expect(nestsDeeperThan(bytes(`{"a":"\\\\","b":[[1]]}`), 2)).toBe(true);
  });

  it('scans a body 100,000 levels deep without recursion', () => {
    expect(nestsDeeperThan(bytes(nested(100_000)), 64)).toBe(true);
  });
});
