// Constant-time comparison of a computed signature with the ones a request offers: every
// candidate is compared (no early exit), and a length mismatch is decided without comparing.
import { timingSafeEqual } from 'node:crypto';

export function matchesAny(expected: Buffer, candidates: readonly Buffer[]): boolean {
  let found = false;
  for (const candidate of candidates) {
    // timingSafeEqual throws on unequal lengths; the length of a digest is no secret.
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) found = true;
  }
  return found;
}
