// The comparison operators of `compare` conditions, PlaceOS's set.
import { isDeepStrictEqual } from 'node:util';
import type { CompareOperator } from '../../config/conditions-schema.js';

const ordered = (left: unknown, right: unknown, test: (l: number | string, r: number | string) => boolean) =>
  // Numbers with numbers, text with text; anything else does not hold.
  (typeof left === 'number' && typeof right === 'number') || (typeof left === 'string' && typeof right === 'string')
    ? test(left, right)
    : false;

const OPERATORS: Record<CompareOperator, (left: unknown, right: unknown) => boolean> = {
  equal: (l, r) => isDeepStrictEqual(l, r),
  not_equal: (l, r) => !isDeepStrictEqual(l, r),
  greater_than: (l, r) => ordered(l, r, (a, b) => a > b),
  greater_than_or_equal: (l, r) => ordered(l, r, (a, b) => a >= b),
  less_than: (l, r) => ordered(l, r, (a, b) => a < b),
  less_than_or_equal: (l, r) => ordered(l, r, (a, b) => a <= b),
  and: (l, r) => Boolean(l) && Boolean(r),
  or: (l, r) => Boolean(l) || Boolean(r),
  exclusive_or: (l, r) => Boolean(l) !== Boolean(r),
};

export function compare(op: CompareOperator, left: unknown, right: unknown): boolean {
  return OPERATORS[op](left, right);
}
