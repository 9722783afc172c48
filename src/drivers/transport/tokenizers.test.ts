// Covers the tokenizers: frames cut at delimiters, fixed lengths and length prefixes, across chunk boundaries.
import { describe, expect, it } from 'vitest';
import { delimiter, fixedLength, lengthPrefixed } from './tokenizers.js';

const text = (frames: Buffer[]) => frames.map((f) => f.toString('latin1'));

describe('delimiter tokenizer', () => {
  it('cuts frames at the delimiter, leaving it out, and keeps an unfinished frame for the next chunk', () => {
    const t = delimiter('\r');
    expect(text(t.push(Buffer.from('%1POWR=OK\r%1IN')))).toEqual(['%1POWR=OK']);
    expect(text(t.push(Buffer.from('PT=31\r\r')))).toEqual(['%1INPT=31', '']);
  });

  it('finds a delimiter of several bytes split across chunks', () => {
    const t = delimiter('\r\n');
    expect(text(t.push(Buffer.from('one\r')))).toEqual([]);
    expect(text(t.push(Buffer.from('\ntwo\r\n')))).toEqual(['one', 'two']);
  });

  it('forgets an unfinished frame on reset and drops one that outgrows maxLength', () => {
    const t = delimiter('\r', { maxLength: 4 });
    t.push(Buffer.from('abc'));
    t.reset();
    expect(text(t.push(Buffer.from('d\r')))).toEqual(['d']);
    t.push(Buffer.from('toolong'));
    expect(text(t.push(Buffer.from('x\r')))).toEqual(['x']);
  });
});

describe('fixed-length tokenizer', () => {
  it('hands on frames of exactly the length', () => {
    const t = fixedLength(3);
    expect(text(t.push(Buffer.from('abcde')))).toEqual(['abc']);
    expect(text(t.push(Buffer.from('fghi')))).toEqual(['def', 'ghi']);
  });

  it('refuses a length below 1', () => {
    expect(() => fixedLength(0)).toThrow('a length of 1 or more');
  });
});

describe('length-prefixed tokenizer', () => {
  it('reads a big-endian 2-byte length and hands on the payload', () => {
    const t = lengthPrefixed();
    const frame = Buffer.concat([Buffer.from([0, 3]), Buffer.from('abc'), Buffer.from([0, 1])]);
    expect(text(t.push(frame))).toEqual(['abc']);
    expect(text(t.push(Buffer.from('z')))).toEqual(['z']);
  });

  it('reads little-endian 4-byte lengths that count the prefix', () => {
    const t = lengthPrefixed({ bytes: 4, endian: 'little', includesPrefix: true });
    const length = Buffer.alloc(4);
    length.writeUInt32LE(6);
    expect(text(t.push(Buffer.concat([length, Buffer.from('hi')])))).toEqual(['hi']);
  });

  it('reads 1-byte lengths split from their payload', () => {
    const t = lengthPrefixed({ bytes: 1 });
    expect(text(t.push(Buffer.from([2])))).toEqual([]);
    expect(text(t.push(Buffer.from('ok')))).toEqual(['ok']);
  });
});
