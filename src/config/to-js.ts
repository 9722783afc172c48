// Turns a parsed YAML document into plain values as the yaml library's `doc.toJS()` does, with
// the same alias limit and errors, but finds each alias's anchor in a table made in one pass:
// the library looks through every earlier anchor and alias for each alias (quadratic; 30,000
// aliases took 11 s). The alias limit is counted in alias-weight.ts.
import { isAlias, isCollection, isPair, isScalar, isSeq, Pair, YAMLMap, type Alias, type Document, type Node } from 'yaml';
import { toJS as libraryToJS, type ToJSContext } from 'yaml/util';
import { anchorWeigher, type AnchorUse } from './alias-weight.js';

/**
 * The document's value. Only what the core schema makes is handled: plain mappings, lists and
 * scalars, mappings as objects, and `<<` an ordinary key (merge keys are not enabled). Still as
 * slow as the library: the aliases inside a list or mapping used as a key are looked up by the
 * library, and an aliased anchor is walked (down to its aliases) once for each aliased anchor
 * holding it, so anchors nested n deep around many aliases cost n times.
 */
export function documentToJS(doc: Document, maxAliasCount: number): unknown {
  const targets = aliasTargets(doc);
  const anchors = new Map<Node, AnchorUse>();
  const weigh = anchorWeigher(doc.contents, targets, anchors);
  let mapKeyWarned = false;

  const convert = (node: unknown): unknown => {
    if (isAlias(node)) return resolve(node);
    if (!isScalar(node) && !isCollection(node)) return node;
    const data: AnchorUse | undefined = node.anchor ? { count: 1, aliasCount: 0, res: undefined } : undefined;
    if (data) anchors.set(node, data);
    if (isScalar(node)) {
      if (data) data.res = node.value;
      return node.value;
    }
    if (isSeq(node)) {
      const list: unknown[] = [];
      if (data) data.res = list;
      for (const item of node.items) list.push(convert(item));
      return list;
    }
    const object: Record<string, unknown> = {};
    if (data) data.res = object;
    for (const pair of node.items as Pair[]) {
      const jsKey = convert(pair.key);
      const key = jsKey === null ? '' : typeof jsKey !== 'object' ? String(jsKey) : collectionKey(pair.key as Node);
      const value = convert(pair.value);
      // Kept as an own property even when the key is `__proto__` or repeats.
      if (key in object) Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
      else object[key] = value;
    }
    return object;
  };

  const resolve = (alias: Alias): unknown => {
    if (maxAliasCount === 0) throw new ReferenceError('Alias resolution is disabled');
    const found = targets.get(alias);
    if (!found) throw new ReferenceError(`Unresolved alias (the anchor must be set before the alias): ${alias.source}`);
    if (!anchors.has(found)) convert(found);
    const data = anchors.get(found);
    if (data?.res === undefined) throw new ReferenceError('This should not happen: Alias anchor was not resolved?');
    if (maxAliasCount >= 0) {
      data.count += 1;
      if (data.aliasCount === 0) data.aliasCount = weigh(found);
      if (data.count * data.aliasCount > maxAliasCount)
        throw new ReferenceError('Excessive alias count indicates a resource exhaustion attack');
    }
    return data.res;
  };

  /**
   * A list or mapping used as a key becomes its flow YAML (`[ a, b ]`), which only the library
   * writes: it converts a one-entry mapping with that key, told where the key's aliases point
   * (and not counting them again).
   */
  const collectionKey = (key: Node): string => {
    const inside = nodesWithin(key);
    const insideSet = new Set(inside);
    const outside = new Set<Node>();
    for (const node of inside) {
      const target = isAlias(node) ? targets.get(node) : undefined;
      if (target && !insideSet.has(target)) outside.add(target);
    }
    const ctx: ToJSContext = {
      anchors: new Map([...outside].map((target) => [target, { ...anchors.get(target)! }])),
      aliasResolveCache: [...outside, ...inside],
      doc: doc as ToJSContext['doc'],
      keep: true,
      mapAsMap: false,
      mapKeyWarned,
      maxAliasCount: -1,
    };
    const entry = new YAMLMap(doc.schema);
    entry.items.push(new Pair(key));
    const object = libraryToJS(entry, '', ctx) as Record<string, unknown>;
    mapKeyWarned = ctx.mapKeyWarned;
    return Object.keys(object)[0]!;
  };

  return convert(doc.contents);
}

/**
 * Each alias's anchor: the last node with that anchor before the alias, in the order of the
 * library's `visit` (a node before its children, a key before its value), as the library finds it.
 */
function aliasTargets(doc: Document): Map<Alias, Node> {
  const latest = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  for (const node of nodesWithin(doc.contents)) {
    if (isAlias(node)) {
      const target = latest.get(node.source);
      if (target) targets.set(node, target);
    } else {
      latest.set(node.anchor!, node);
    }
  }
  return targets;
}

/** The aliases and anchored nodes in and under `root`, in `visit` order. */
function nodesWithin(root: unknown): Node[] {
  const found: Node[] = [];
  const walk = (node: unknown): void => {
    if (isAlias(node)) found.push(node);
    else if ((isScalar(node) || isCollection(node)) && node.anchor) found.push(node);
    if (isPair(node)) {
      walk(node.key);
      walk(node.value);
    } else if (isCollection(node)) {
      for (const item of node.items) walk(item);
    }
  };
  walk(root);
  return found;
}
