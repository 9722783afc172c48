// Ids come in through an IdSource so tests can replace it. The default is short and
// time-ordered: `run_` + the millisecond (9 base-36 digits) + a sequence within it (3) + a
// tag drawn at random when the process starts (8), 20 characters in all. Two ids are made
// per request and each is stored up to three times (a row, its key index, a reference), so
// a UUIDv7's 32 hex digits cost 72 more bytes per fire and a random draw per id; the tag
// keeps ids from two processes (two nodes, or a restart within the same millisecond) apart.
import { randomBytes, randomInt } from 'node:crypto';

export interface IdSource {
  /** A new unique, time-sortable id such as `run_0mgy3k9z1000a8k2q7xw`. */
  next(prefix: string): string;
  /** A new random secret, URL-safe. */
  secret(): string;
}

const TIME_DIGITS = 9; // base 36: good until the year 5138
const SEQUENCE_DIGITS = 3;
const SEQUENCE_LIMIT = 36 ** SEQUENCE_DIGITS;
const TAG_DIGITS = 8;

/** Ids that sort in the order this process made them, also when the clock steps back. */
export class TimeOrderedIds implements IdSource {
  private readonly tag: string;
  private lastMs = -1;
  private sequence = 0;
  private timePart = '';

  constructor(
    private readonly now: () => number = Date.now,
    tag?: string,
  ) {
    this.tag = tag ?? randomTag();
  }

  next(prefix: string): string {
    const now = this.now();
    if (now > this.lastMs) {
      this.lastMs = now;
      this.sequence = 0;
      this.timePart = this.lastMs.toString(36).padStart(TIME_DIGITS, '0');
    } else if (++this.sequence === SEQUENCE_LIMIT) {
      // More ids in one millisecond than the sequence holds: borrow the next millisecond.
      this.lastMs += 1;
      this.sequence = 0;
      this.timePart = this.lastMs.toString(36).padStart(TIME_DIGITS, '0');
    }
    return `${prefix}_${this.timePart}${this.sequence.toString(36).padStart(SEQUENCE_DIGITS, '0')}${this.tag}`;
  }

  secret(): string {
    return randomBytes(24).toString('base64url');
  }
}

function randomTag(): string {
  let tag = '';
  for (let i = 0; i < TAG_DIGITS; i++) tag += randomInt(36).toString(36);
  return tag;
}

export const randomIds: IdSource = new TimeOrderedIds();

/**
 * The smallest id `TimeOrderedIds` could make with `prefix` at `ms`: every id made then or
 * later sorts after it. A table keyed by such ids (runs) is read from a time by its key,
 * with no index on a time column.
 */
export function idAt(prefix: string, ms: number): string {
  return `${prefix}_${Math.max(0, Math.floor(ms)).toString(36).padStart(TIME_DIGITS, '0')}`;
}
