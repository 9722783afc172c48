// Where the yaml library reports a duplicate key among its other errors. Those come in the
// order it reads the file: most at their position, those about a whole key, or a block
// collection inside a flow one, where that ends. Checked against the library's own order on
// generated YAML in yaml-equivalence.test.ts.
import { isCollection, isMap, isPair, type CST, type Node, type YAMLMap, type YAMLParseError } from 'yaml';

/**
 * The library's other errors with each duplicate-key error (in the order the library finds
 * them) put before the first of them the library reports after it.
 */
export function inLibraryOrder(
  errors: readonly YAMLParseError[],
  duplicates: readonly { map: YAMLMap; index: number; error: YAMLParseError }[],
): YAMLParseError[] {
  const out: YAMLParseError[] = [];
  let next = 0;
  for (const { map, index, error: duplicate } of duplicates) {
    const comesAfter = reportedAfter(map, index, duplicate.pos[0]);
    while (next < errors.length && !comesAfter(errors[next]!)) out.push(errors[next++]!);
    out.push(duplicate);
  }
  while (next < errors.length) out.push(errors[next++]!);
  return out;
}

/** Errors reported on a whole key (its range) once it is read: after what is found inside it. */
const ON_A_READ_KEY = new Set([
  'Implicit map keys need to be followed by map values',
  'The : indicator must be at most 1024 chars after the start of an implicit block mapping key',
]);

/**
 * Which of the library's other errors it reports after the duplicate key `index` of `map`,
 * reported at `at`. A block mapping checks a key once the key is read, a flow mapping once its
 * value is read too.
 */
function reportedAfter(map: YAMLMap, index: number, at: number): (error: YAMLParseError) => boolean {
  const pair = map.items[index]!;
  const read = (map.flow ? (pair.value ?? pair.key) : pair.key) as Node | null;
  const readTo = (map.flow ? read?.range?.[2] : read?.range?.[1]) ?? at;
  const keyFrom = (pair.key as Node | null)?.range?.[0] ?? at;
  // Called once per error, in order, until it answers true.
  let unclosed = map.flow ? unclosedAt(read, readTo) : 0;
  return (error) => {
    const [start, end] = error.pos;
    // About this key or one holding it; an empty key ends where the key before it may end too.
    if (ON_A_READ_KEY.has(error.message))
      return end > readTo || (end === readTo && (map.flow || keyFrom < readTo || start === keyFrom));
    if (error.code === 'BLOCK_IN_FLOW') return end > readTo;
    // An error at the start of a key is found reading it, even an empty key.
    if (!map.flow) return start >= Math.max(readTo, at + 1);
    if (start !== readTo) return start > readTo;
    // Where a flow value ends, the "not closed" errors of the value and of its last items end
    // there too and come before; the next entry's errors, and its own mapping's, after.
    if (!NOT_CLOSED.test(error.message) || unclosed === 0) return true;
    unclosed--;
    return false;
  };
}

const NOT_CLOSED = /^Flow (map|sequence) (must end|in block collection must be sufficiently indented and end) with a [}\]]$/;

/** How many flow collections end unclosed at `end`: `node`, then its last item, and so on. */
function unclosedAt(node: unknown, end: number): number {
  let count = 0;
  while (isCollection(node) && node.flow && node.range?.[1] === end) {
    const token = node.srcToken as CST.FlowCollection | undefined;
    // A list's `key: value` items are one-entry mappings without tokens of their own.
    if (token?.type === 'flow-collection') {
      if (token.end[0]?.source === (isMap(node) ? '}' : ']')) break;
      count++;
    }
    const last: unknown = node.items[node.items.length - 1];
    node = isPair(last) ? (last.value ?? last.key) : last;
  }
  return count;
}
