// Check 5c without a server: JSON (with a BOM, bounded nesting), forms, other types.
import { describe, expect, it } from 'vitest';
import { parseBody } from './parse-body.js';

const raw = (text: string) => Buffer.from(text);

describe('parseBody', () => {
  it('parses JSON, with or without a byte-order mark', () => {
    expect(parseBody(raw('{"a":1}'), 'json', 64)).toEqual({ passed: { parsed: { a: 1 }, kind: 'json' } });
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), raw('{"a":1}')]);
    expect(parseBody(withBom, 'json', 64)).toEqual({ passed: { parsed: { a: 1 }, kind: 'json' } });
  });

  it('answers 400 body_malformed for JSON that is not', () => {
    expect(parseBody(raw('{"broken'), 'json', 64)).toMatchObject({
      refused: { status: 400, code: 'body_malformed', body: { message: 'The body is declared as JSON but is not valid JSON.' } },
    });
  });

  it('answers 400 naming the limit for JSON nested deeper than it', () => {
    const deep = '['.repeat(65) + ']'.repeat(65);
    expect(parseBody(raw(deep), 'json', 64)).toMatchObject({
      refused: {
        status: 400,
        code: 'body_malformed',
        body: { message: expect.stringContaining('deeper than 64 levels (server.json_depth)') },
      },
    });
    expect(parseBody(raw('['.repeat(64) + ']'.repeat(64)), 'json', 64)).toHaveProperty('passed');
  });

  it('reads a number that overflows as null, as the stored run input will say', () => {
    expect(parseBody(raw(`{"n":1e999999,"m":-${'9'.repeat(400)},"k":1e300,"s":"1e999"}`), 'json', 64)).toEqual({
      passed: { parsed: { n: null, m: null, k: 1e300, s: '1e999' }, kind: 'json' },
    });
    expect(parseBody(raw('{"tiny":-1e-99999}'), 'json', 64)).toEqual({ passed: { parsed: { tiny: -0 }, kind: 'json' } });
  });

  it('reads a form as fields, prototype-looking names as plain keys', () => {
    const checked = parseBody(raw('a=1&__proto__=x&b=%20two'), 'form', 64) as { passed: { parsed: Record<string, string> } };
    expect(Object.getPrototypeOf(checked.passed.parsed)).toBe(Object.prototype);
    expect(Object.entries(checked.passed.parsed)).toEqual([
      ['a', '1'],
      ['__proto__', 'x'],
      ['b', ' two'],
    ]);
  });

  it('leaves other types and empty bodies unparsed', () => {
    expect(parseBody(raw('hello'), 'other', 64)).toEqual({ passed: { parsed: undefined, kind: 'other' } });
    expect(parseBody(raw(''), 'json', 64)).toEqual({ passed: { parsed: undefined, kind: 'json' } });
  });
});
