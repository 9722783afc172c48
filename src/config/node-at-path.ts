// Finds the YAML node at a config path as `doc.getIn(path, true)` does, but looks a key up in an
// index of its mapping built once, where `getIn` scans the mapping: locating one problem per key
// of a 50,000-key mapping scanned it 50,000 times.
import { isCollection, isMap, isScalar, isSeq, type Document, type Node, type YAMLMap } from 'yaml';
import type { ConfigPath } from './problems.js';

/** Per mapping: each scalar key's value → the value node of its first entry. Built when first asked. */
const indexes = new WeakMap<YAMLMap, Map<unknown, unknown>>();

/**
 * The nodes along `path`: `[doc.contents, node at path[0], node at path[0..1], …]`, stopping where the
 * path leaves the document. The last one may be a scalar or alias; the others are collections.
 */
export function nodesAlong(doc: Document, path: ConfigPath): unknown[] {
  let node: unknown = doc.contents;
  const nodes: unknown[] = [node];
  for (const part of path) {
    if (!isCollection(node)) break;
    node = isMap(node) ? indexOf(node).get(part) : isSeq(node) ? itemAt(node.items, part) : undefined;
    if (node === undefined || node === null) break;
    nodes.push(node);
  }
  return nodes;
}

function indexOf(map: YAMLMap): Map<unknown, unknown> {
  let index = indexes.get(map);
  if (!index) {
    index = new Map();
    // As the library's findPair: the first entry whose scalar key `===` the path part.
    for (const pair of map.items)
      if (isScalar(pair.key) && !index.has(pair.key.value) && !Number.isNaN(pair.key.value))
        index.set(pair.key.value, pair.value);
    indexes.set(map, index);
  }
  return index;
}

/** As the library's YAMLSeq.get: a whole number, or a string of one, at or above 0. */
function itemAt(items: readonly unknown[], part: string | number): unknown {
  const index = typeof part === 'string' && part !== '' ? Number(part) : part;
  return typeof index === 'number' && Number.isInteger(index) && index >= 0 ? (items[index] as Node | undefined) : undefined;
}
