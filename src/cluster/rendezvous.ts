// Rendezvous (highest random weight) hashing: each module goes to the live node whose
// hash with the module's name is highest. Every node that sees the same live nodes
// places every module alike, and when a node comes or goes only its own modules move.
import { createHash } from 'node:crypto';

export function rendezvous(nodes: readonly string[], key: string): string | undefined {
  let best: string | undefined;
  let bestWeight = '';
  for (const node of nodes) {
    const weight = createHash('sha256').update(node).update('\0').update(key).digest('hex');
    if (best === undefined || weight > bestWeight) {
      best = node;
      bestWeight = weight;
    }
  }
  return best;
}
