// Ids come in through an IdSource so tests can replace it; the default is a
// time-ordered UUIDv7 with a readable prefix, so ids sort by creation time.
import { randomBytes, randomFillSync } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

export interface IdSource {
  /** A new unique, time-sortable id such as `run_0193…`. */
  next(prefix: string): string;
  /** A new random secret, URL-safe. */
  secret(): string;
}

// Two ids are made per request; drawing their random bytes from a pool refilled 4 KiB
// at a time costs one system call per 256 ids instead of one per id.
const POOL = new Uint8Array(4096);
let offset = POOL.length;
function pooledRandom16(): Uint8Array {
  if (offset + 16 > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  offset += 16;
  return POOL.subarray(offset - 16, offset);
}

export const randomIds: IdSource = {
  next: (prefix) => `${prefix}_${uuidv7({ rng: pooledRandom16 }).replaceAll('-', '')}`,
  secret: () => randomBytes(24).toString('base64url'),
};
