// Every compare operator, on the values module state holds.
import { describe, expect, it } from 'vitest';
import { compare } from './compare.js';

describe('compare', () => {
  it.each([
    ['equal', 1, 1, true],
    ['equal', 'on', 'on', true],
    ['equal', { a: [1, 2] }, { a: [1, 2] }, true],
    ['equal', 1, '1', false],
    ['not_equal', true, false, true],
    ['not_equal', [1], [1], false],
    ['greater_than', 5, 4, true],
    ['greater_than', 4, 4, false],
    ['greater_than', 'b', 'a', true],
    ['greater_than', '5', 4, false],
    ['greater_than_or_equal', 4, 4, true],
    ['greater_than_or_equal', 3, 4, false],
    ['less_than', 3, 4, true],
    ['less_than', null, 4, false],
    ['less_than_or_equal', 4, 4, true],
    ['less_than_or_equal', 5, 4, false],
    ['and', true, 1, true],
    ['and', true, 0, false],
    ['or', false, 'x', true],
    ['or', false, null, false],
    ['exclusive_or', true, false, true],
    ['exclusive_or', true, true, false],
    ['exclusive_or', 0, '', false],
  ] as const)('%s(%j, %j) is %s', (op, left, right, expected) => {
    expect(compare(op, left, right)).toBe(expected);
  });
});
