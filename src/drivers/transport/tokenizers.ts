// Tokenizers cut the byte stream a device sends into frames (one reply or one event each).
// Each keeps the bytes of an unfinished frame until the rest arrives; a link resets it
// when it reconnects, so half a frame from a dead connection never joins a new one.

export interface Tokenizer {
  /** Takes received bytes; returns the frames they complete, in order. */
  push(chunk: Buffer): Buffer[];
  /** Forgets an unfinished frame (the connection it came on is gone). */
  reset(): void;
}

/** Frames end with `delimiter` (such as '\r'); the delimiter is left out of the frame. */
export function delimiter(delimiter: string | Buffer, options: { maxLength?: number } = {}): Tokenizer {
  const mark = Buffer.from(delimiter);
  if (mark.length === 0) throw new Error('a delimiter tokenizer needs a delimiter of at least one byte');
  // A device that never sends the delimiter must not grow the buffer without bound.
  const maxLength = options.maxLength ?? 64 * 1024;
  let pending = Buffer.alloc(0);
  return {
    push(chunk) {
      pending = Buffer.concat([pending, chunk]);
      const frames: Buffer[] = [];
      for (let end = pending.indexOf(mark); end >= 0; end = pending.indexOf(mark)) {
        frames.push(pending.subarray(0, end));
        pending = pending.subarray(end + mark.length);
      }
      if (pending.length > maxLength) pending = Buffer.alloc(0);
      return frames;
    },
    reset: () => void (pending = Buffer.alloc(0)),
  };
}

/** Every frame is exactly `length` bytes. */
export function fixedLength(length: number): Tokenizer {
  if (!Number.isInteger(length) || length < 1)
    throw new Error(`a fixed-length tokenizer needs a length of 1 or more, not ${length}`);
  let pending = Buffer.alloc(0);
  return {
    push(chunk) {
      pending = Buffer.concat([pending, chunk]);
      const frames: Buffer[] = [];
      while (pending.length >= length) {
        frames.push(pending.subarray(0, length));
        pending = pending.subarray(length);
      }
      return frames;
    },
    reset: () => void (pending = Buffer.alloc(0)),
  };
}

export interface LengthPrefixOptions {
  /** How many bytes the length takes (default 2). */
  bytes?: 1 | 2 | 4;
  /** Byte order of the length (default big-endian, network order). */
  endian?: 'big' | 'little';
  /** Whether the length counts the prefix itself (default false: only the payload). */
  includesPrefix?: boolean;
}

/** Every frame starts with its length; the frame handed on is the payload, without the prefix. */
export function lengthPrefixed(options: LengthPrefixOptions = {}): Tokenizer {
  const bytes = options.bytes ?? 2;
  const little = options.endian === 'little';
  const readLength = (b: Buffer): number =>
    bytes === 1
      ? b.readUInt8(0)
      : bytes === 2
        ? little
          ? b.readUInt16LE(0)
          : b.readUInt16BE(0)
        : little
          ? b.readUInt32LE(0)
          : b.readUInt32BE(0);
  let pending = Buffer.alloc(0);
  return {
    push(chunk) {
      pending = Buffer.concat([pending, chunk]);
      const frames: Buffer[] = [];
      while (pending.length >= bytes) {
        const payload = readLength(pending) - (options.includesPrefix ? bytes : 0);
        if (payload < 0) {
          // A length shorter than its own prefix: the stream is out of step; drop what we have.
          pending = Buffer.alloc(0);
          break;
        }
        if (pending.length < bytes + payload) break;
        frames.push(pending.subarray(bytes, bytes + payload));
        pending = pending.subarray(bytes + payload);
      }
      return frames;
    },
    reset: () => void (pending = Buffer.alloc(0)),
  };
}
