// The yaml library's alias limit counts, for each aliased anchor, how many values one use of it
// stands for (its getAliasCount, computed when the anchor is first aliased and again while it is
// 0). Counted here with the same result, but without walking the same nodes over and over: the
// library walked an anchor of only empty lists at every alias to it (quadratic), and every
// anchored list nested in another again for each enclosing anchor.
import { isAlias, isCollection, isPair, type Alias, type Node } from 'yaml';

export interface AnchorUse {
  /** Uses so far: 1 for the anchored node, 1 more per alias. */
  count: number;
  /** What one use stands for: set when first aliased, and again while 0. */
  aliasCount: number;
  res: unknown;
}

/**
 * Returns `weigh(anchor)`, to be called when an alias to `anchor` is met while its aliasCount is
 * still 0. The weight of a node is the library's: 1 for a plain value (a null one too), the most
 * of its items' for a list or mapping (0 when empty), count × aliasCount of its anchor for an alias.
 */
export function anchorWeigher(
  root: unknown,
  targets: ReadonlyMap<Alias, Node>,
  anchors: ReadonlyMap<Node, AnchorUse>,
): (anchor: Node) => number {
  // Without aliases below it, a list or mapping always weighs the same.
  const fixed = fixedWeights(root);
  // Anchors that weighed 0 stay so until an anchor one of their aliases points to weighs more
  // (use counts only grow, and count × aliasCount is 0 exactly while aliasCount is).
  const stillZero = new Set<Node>();
  const waitingOn = new Map<Node, Node[]>();

  const weightOf = (node: unknown): number => {
    if (isAlias(node)) {
      const target = targets.get(node);
      const use = target && anchors.get(target);
      return use ? use.count * use.aliasCount : 0;
    }
    if (isPair(node)) return Math.max(weightOf(node.key), weightOf(node.value));
    if (!isCollection(node)) return 1;
    const known = fixed.get(node);
    if (known !== undefined) return known;
    let most = 0;
    for (const item of node.items) most = Math.max(most, weightOf(item));
    return most;
  };

  return (anchor) => {
    if (stillZero.has(anchor)) return 0;
    const weight = weightOf(anchor);
    if (weight === 0) {
      stillZero.add(anchor);
      for (const alias of aliasesBelow(anchor, fixed)) {
        const target = targets.get(alias);
        if (!target) continue;
        const waiting = waitingOn.get(target);
        if (waiting) waiting.push(anchor);
        else waitingOn.set(target, [anchor]);
      }
    } else {
      // Called only while its aliasCount was 0: from now on it weighs more.
      for (const waiting of waitingOn.get(anchor) ?? []) stillZero.delete(waiting);
      waitingOn.delete(anchor);
    }
    return weight;
  };
}

/** The weight of each list or mapping with no alias below it. */
function fixedWeights(root: unknown): Map<Node, number> {
  const fixed = new Map<Node, number>();
  // The weight, or undefined when an alias is below.
  const walk = (node: unknown): number | undefined => {
    if (isAlias(node)) return undefined;
    if (isPair(node)) {
      const key = walk(node.key);
      const value = walk(node.value);
      return key === undefined || value === undefined ? undefined : Math.max(key, value);
    }
    if (!isCollection(node)) return 1;
    let most: number | undefined = 0;
    for (const item of node.items) {
      const weight = walk(item);
      most = weight === undefined || most === undefined ? undefined : Math.max(most, weight);
    }
    if (most !== undefined) fixed.set(node, most);
    return most;
  };
  walk(root);
  return fixed;
}

function aliasesBelow(root: Node, fixed: ReadonlyMap<Node, number>): Alias[] {
  const found: Alias[] = [];
  const walk = (node: unknown): void => {
    if (isAlias(node)) found.push(node);
    else if (isPair(node)) {
      walk(node.key);
      walk(node.value);
    } else if (isCollection(node) && !fixed.has(node)) for (const item of node.items) walk(item);
  };
  walk(root);
  return found;
}
