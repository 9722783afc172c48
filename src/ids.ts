// Ids come in through an IdSource so tests can replace it; the default is a
// time-ordered UUIDv7 with a readable prefix, so ids sort by creation time.
import { randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';

export interface IdSource {
  /** A new unique, time-sortable id such as `run_0193…`. */
  next(prefix: string): string;
  /** A new random secret, URL-safe. */
  secret(): string;
}

export const randomIds: IdSource = {
  next: (prefix) => `${prefix}_${uuidv7().replaceAll('-', '')}`,
  secret: () => randomBytes(24).toString('base64url'),
};
