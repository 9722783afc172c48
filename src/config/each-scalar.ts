// Visits every scalar of a YAML document, keys included, in the order of the yaml library's
// `visit`, with the config path of each one. The path is kept as a stack while walking, so
// asking for it costs its length, not a search of every list it is in.
import { isMap, isScalar, isSeq, type Document, type Pair, type Scalar } from 'yaml';
import type { ConfigPath } from './problems.js';

/** The config path of the scalar being visited; read it while visiting, not later. */
export type PathOf = () => ConfigPath;

/**
 * Calls `onScalar` for each scalar. The path names a mapping entry by its key when the key is a
 * scalar (its value when the path is asked for, so after the key itself was visited) and by its
 * position otherwise; a list item by its position. Aliases are not followed.
 */
export function eachScalar(doc: Document, onScalar: (node: Scalar, pathOf: PathOf) => void): void {
  // A number is a position; a pair stands for the current value of its scalar key.
  const stack: (number | Pair<Scalar, unknown>)[] = [];
  const pathOf: PathOf = () => stack.map((part) => (typeof part === 'number' ? part : String(part.key.value)));
  const walk = (node: unknown): void => {
    if (isScalar(node)) {
      onScalar(node, pathOf);
    } else if (isMap(node)) {
      node.items.forEach((pair, i) => {
        stack.push(isScalar(pair.key) ? (pair as Pair<Scalar, unknown>) : i);
        walk(pair.key);
        walk(pair.value);
        stack.pop();
      });
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        stack.push(i);
        walk(item);
        stack.pop();
      });
    }
  };
  walk(doc.contents);
}
