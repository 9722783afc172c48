// Duplicate mapping keys, found with one Set per mapping. The yaml library's own check
// (`uniqueKeys`) compares each key with every earlier key of its mapping, which is quadratic:
// 50,000 keys in one mapping took 19 s. The errors are the library's, in the library's order.
import { isCollection, isMap, isPair, isScalar, YAMLParseError, type CST, type Document, type Node, type YAMLMap } from 'yaml';
import { inLibraryOrder } from './duplicate-key-order.js';

interface Duplicate {
  map: YAMLMap;
  /** The entry whose key repeats an earlier one. */
  index: number;
}

/**
 * The document's errors with those `uniqueKeys: true` would have added, in the library's order.
 * Keys are the same when they are scalars with `===` values, as in the library (so `1`, `0x1`
 * and `1.0` are one key, `"1"` another, and `.nan` never repeats); collection and alias keys
 * never repeat. Where the library reports a duplicate depends on the tokens before its key, so
 * when there is one the file is read again keeping them (`readWithTokens`: keepSourceTokens).
 */
export function withDuplicateKeyErrors(doc: Document, readWithTokens: () => Document): YAMLParseError[] {
  if (findDuplicates(doc).length === 0) return [...doc.errors];
  const exact = readWithTokens();
  const starts = new Map<YAMLMap, number[]>();
  const duplicates = findDuplicates(exact).map(({ map, index }) => {
    if (!starts.has(map)) starts.set(map, keyStarts(map));
    const at = starts.get(map)![index]!;
    return { map, index, error: new YAMLParseError([at, at + 1], 'DUPLICATE_KEY', 'Map keys must be unique') };
  });
  return inLibraryOrder(doc.errors, duplicates);
}

/** In the order the library finds them: a block mapping checks a key before reading its value, a flow mapping after. */
function findDuplicates(doc: Document): Duplicate[] {
  const found: Duplicate[] = [];
  const walk = (node: unknown): void => {
    if (!isCollection(node)) return;
    if (!isMap(node)) {
      for (const item of node.items) walk(item);
      return;
    }
    const seen = new Set<unknown>();
    const check = (key: unknown, index: number) => {
      if (!isScalar(key) || Number.isNaN(key.value)) return;
      if (!seen.has(key.value)) seen.add(key.value);
      else found.push({ map: node, index });
    };
    node.items.forEach((pair, index) => {
      walk(pair.key);
      if (!node.flow) check(pair.key, index);
      walk(pair.value);
      if (node.flow) check(pair.key, index);
    });
  };
  walk(doc.contents);
  return found;
}

const end = (token: { offset: number; source: string }) => token.offset + token.source.length;

/**
 * Where the library starts reading each key of `map` (read with its tokens): after the tokens
 * before the key (indentation, `?`, anchor, tag, comma), or where the entry before it ended
 * when there are none. Mirrors resolveBlockMap and resolveFlowCollection.
 */
function keyStarts(map: YAMLMap): number[] {
  const token = map.srcToken as CST.BlockMap | CST.FlowCollection;
  const flow = token.type === 'flow-collection';
  const starts: number[] = [];
  let offset = flow ? end(token.start) : token.offset;
  for (const item of token.items) {
    const { start, sep } = item;
    const propsEnd = start.length > 0 ? end(start[start.length - 1]!) : offset;
    const marked = start.some((t) => t.type === 'explicit-key-ind' || t.type === 'anchor' || t.type === 'tag');
    // Comments and stray commas make no entry.
    if (!marked && !sep && (!flow || !item.value)) {
      if (flow) offset = propsEnd;
      continue;
    }
    const pair = map.items[starts.length];
    if (!isPair(pair)) break;
    starts.push(propsEnd);
    const value = pair.value as Node | null;
    offset = value?.range
      ? value.range[2]
      : sep?.length
        ? end(sep[sep.length - 1]!)
        : ((pair.key as Node).range?.[2] ?? propsEnd);
  }
  return starts;
}
