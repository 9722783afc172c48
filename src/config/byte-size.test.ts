// Sizes in config are plain byte counts or carry a unit (b, kb, mb, gb; any case).
import { describe, expect, it } from 'vitest';
import { byteSizeSchema } from './byte-size.js';

const size = (value: unknown) => byteSizeSchema.parse(value);
const messages = (value: unknown) => {
  const result = byteSizeSchema.safeParse(value);
  expect(result.success).toBe(false);
  return result.error!.issues.map((i) => i.message);
};

describe('byteSizeSchema', () => {
  it.each([
    ['10b', 10],
    ['512kb', 512 * 1024],
    ['1mb', 1024 ** 2],
    ['2gb', 2 * 1024 ** 3],
  ])('reads %s as %i bytes', (text, bytes) => {
    expect(size(text)).toBe(bytes);
  });

  it('takes a plain number as a count of bytes', () => {
    expect(size(4096)).toBe(4096);
    expect(size(0)).toBe(0);
  });

  it('reads units in any case and allows spaces', () => {
    expect(size('1MB')).toBe(1024 ** 2);
    expect(size('1Kb')).toBe(1024);
    expect(size(' 512 kb ')).toBe(512 * 1024);
  });

  it('accepts fractions of a unit and rounds to whole bytes', () => {
    expect(size('1.5kb')).toBe(1536);
    expect(size('0.5mb')).toBe(512 * 1024);
    expect(size('1.001kb')).toBe(1025);
  });

  it.each(['lots', '1tb', '512', 'kb', '-1kb', '1 k', '1e3kb', ''])('explains how to write a size when given %j', (text) => {
    expect(messages(text)).toEqual([`"${text}" is not a size; write bytes or a number with a unit: 512kb, 1mb`]);
  });

  it('refuses negative and fractional byte counts', () => {
    expect(byteSizeSchema.safeParse(-1).success).toBe(false);
    expect(byteSizeSchema.safeParse(1.5).success).toBe(false);
  });

  it.each([null, true, [], {}])('refuses %j', (value) => {
    expect(byteSizeSchema.safeParse(value).success).toBe(false);
  });
});
