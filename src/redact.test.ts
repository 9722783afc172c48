// Covers the one redaction: secret-looking keys at any depth, headers and fields alike,
// values kept as they are elsewhere, and the depth bound.
import { describe, expect, it } from 'vitest';
import { MAX_REDACT_DEPTH, needsRedaction, redact, REDACTED } from './redact.js';

describe('redact', () => {
  it('replaces the values of secret-looking keys, headers and body fields alike', () => {
    const headers = { authorization: 'Bearer x', 'x-api-key': 'k', cookie: 'c', 'x-hub-signature-256': 's', accept: '*/*' };
    expect(redact(headers)).toEqual({
      authorization: REDACTED,
      'x-api-key': REDACTED,
      cookie: REDACTED,
      'x-hub-signature-256': REDACTED,
      accept: '*/*',
    });
    expect(redact({ user: { password: 'p', name: 'n' }, token: 1, list: [{ client_secret: 's' }] })).toEqual({
      user: { password: REDACTED, name: 'n' },
      token: REDACTED,
      list: [{ client_secret: REDACTED }],
    });
  });

  it('returns values that are not plain objects or arrays as they are', () => {
    const error = new Error('x');
    const buffer = Buffer.from('token');
    expect(redact('token=abc')).toBe('token=abc');
    expect(redact(42)).toBe(42);
    expect(redact({ error, buffer })).toEqual({ error, buffer });
  });

  it('does not change its input', () => {
    const input = { token: 'abc', nested: { secret: 's' } };
    redact(input);
    expect(input).toEqual({ token: 'abc', nested: { secret: 's' } });
  });

  it('keeps nothing below its depth bound', () => {
    let deep: unknown = { token: 'abc', visible: 'no' };
    for (let i = 0; i < MAX_REDACT_DEPTH + 5; i++) deep = { a: deep };
    expect(JSON.stringify(redact(deep))).not.toContain('abc');
    expect(JSON.stringify(redact(deep))).not.toContain('visible');
  });

  it('keeps prototype-looking keys as plain data', () => {
    const parsed = JSON.parse('{"__proto__": {"token": "t"}, "constructor": 1}') as unknown;
    const out = redact(parsed) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(JSON.stringify(out)).not.toContain('"t"');
  });
});

describe('needsRedaction', () => {
  it('says whether redact would change a value: a secret-looking key at any depth, or nesting past the limit', () => {
    expect(needsRedaction({ room: 'east', list: [{ n: 1 }] })).toBe(false);
    expect(needsRedaction({ list: [{ deep: { api_key: 'k' } }] })).toBe(true);
    expect(needsRedaction({ Authorization: 'x' })).toBe(true);
    expect(needsRedaction('token=abc')).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(needsRedaction(deep)).toBe(true);
    for (const value of [{ room: 'east' }, { token: 1 }, deep])
      expect(needsRedaction(value)).toBe(JSON.stringify(redact(value)) !== JSON.stringify(value));
  });
});
