// Problems in file order, each once, and a blank value from an unset variable told once.
import { describe, expect, it } from 'vitest';
import { inFileOrder } from './problem-order.js';
import type { Problem } from './problems.js';

const problem = (file: string, line: number, col: number, message: string, path = 'x'): Problem => ({
  file,
  line,
  col,
  path,
  message,
});

describe('inFileOrder', () => {
  it('sorts by the order the files are read, then line and column, keeping the order found at one position', () => {
    const found = [
      problem('b.yaml', 1, 1, 'b'),
      problem('drivers/x', 1, 1, 'driver'),
      problem('a.yaml', 3, 9, 'a second'),
      problem('a.yaml', 3, 9, 'a first at 3:9, found later'),
      problem('a.yaml', 2, 20, 'a'),
      problem('B.yaml', 1, 1, 'upper case B, read first'),
    ];
    const sorted = inFileOrder(found, { files: ['B.yaml', 'a.yaml', 'b.yaml'], unset: [] });
    expect(sorted.map((p) => p.message)).toEqual([
      'upper case B, read first',
      'a',
      'a second',
      'a first at 3:9, found later',
      'b',
      'driver',
    ]);
  });

  it('lists a problem found twice once', () => {
    const twice = [problem('a.yaml', 1, 1, 'same'), problem('a.yaml', 1, 1, 'same'), problem('a.yaml', 1, 1, 'other')];
    expect(inFileOrder(twice, { files: ['a.yaml'], unset: [] }).map((p) => p.message)).toEqual(['same', 'other']);
  });

  it('tells a value left blank by an unset variable only as unset', () => {
    const unset = [
      problem('a.yaml', 2, 9, 'environment variable A is not set'),
      problem('a.yaml', 2, 9, 'environment variable B is not set'),
    ];
    const later = problem('a.yaml', 2, 9, 'a secret needs at least 16 characters');
    const elsewhere = problem('a.yaml', 3, 9, 'elsewhere');
    expect(inFileOrder([...unset, later, elsewhere], { files: ['a.yaml'], unset }).map((p) => p.message)).toEqual([
      'environment variable A is not set',
      'environment variable B is not set',
      'elsewhere',
    ]);
  });
});
