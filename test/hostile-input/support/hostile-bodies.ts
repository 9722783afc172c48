// Request bodies built to hurt: JSON nested far too deep, compression bombs that inflate
// to tens of megabytes, and compressed bodies that are broken.
import type { Transform } from 'node:stream';
import { constants, createBrotliCompress, createDeflate, createGzip, gzipSync } from 'node:zlib';

/** JSON nested `levels` deep: arrays (`[[[…]]]`) or objects (`{"a":{"a":…}}`). */
export function deepJson(levels: number, shape: 'array' | 'object' = 'array'): string {
  if (shape === 'array') return '['.repeat(levels) + ']'.repeat(levels);
  return '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
}

export type Encoding = 'gzip' | 'deflate' | 'br';

function compressor(encoding: Encoding): Transform {
  if (encoding === 'gzip') return createGzip({ level: 9 });
  if (encoding === 'deflate') return createDeflate({ level: 9 });
  // Quality 5 keeps building the bomb fast; it still shrinks zeros over 100,000 times.
  return createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 5 } });
}

/** `megabytes` of zeros, compressed a megabyte at a time (never held whole in memory). */
export async function zeroBomb(encoding: Encoding, megabytes: number): Promise<Buffer> {
  const stream = compressor(encoding);
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve, reject) => stream.on('end', resolve).on('error', reject));
  const megabyte = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < megabytes; i++) {
    if (!stream.write(megabyte)) await new Promise((resolve) => stream.once('drain', resolve));
  }
  stream.end();
  await ended;
  return Buffer.concat(chunks);
}

/** A gzip magic number followed by bytes that are not deflate data. */
export const GARBLED_GZIP = Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.from('this is not deflate data')]);

/** A real gzip stream cut off in the middle. */
export const TRUNCATED_GZIP = gzipSync(JSON.stringify({ cut: 'x'.repeat(500) })).subarray(0, 20);
