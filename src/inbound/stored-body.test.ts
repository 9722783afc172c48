// A body read back from the request log: as a resumed run's templates read it, and as the log shows it.
import { describe, expect, it } from 'vitest';
import { compileRedactPaths, NO_PATHS } from './redact-paths.js';
import { shownBody, templateBody } from './stored-body.js';

const stored = (body: string | Buffer | null, contentType?: string) => ({
  body: typeof body === 'string' ? Buffer.from(body) : body,
  headers: JSON.stringify(contentType ? { 'content-type': contentType, host: 'x' } : { host: 'x' }),
});

describe('templateBody', () => {
  it('reads the body as the fresh run saw it: JSON (byte-order mark and +json too), form fields, text, or null', () => {
    expect(templateBody(stored('{"a":1}', 'application/json; charset=utf-8'))).toEqual({ a: 1 });
    expect(templateBody(stored('\uFEFF{"a":[2]}', 'application/vnd.x+json'))).toEqual({ a: [2] });
    expect(templateBody(stored('a=1&b=two', 'application/x-www-form-urlencoded'))).toEqual({ a: '1', b: 'two' });
    expect(templateBody(stored('plain words', 'text/plain'))).toBe('plain words');
    expect(templateBody(stored('{"a":1}'))).toBe('{"a":1}');
    expect(templateBody(stored(null, 'application/json'))).toBeNull();
    expect(templateBody(stored('', 'application/json'))).toBeNull();
  });

  it('turns an overflowing number into null, as the fresh run had it', () => {
    expect(templateBody(stored('{"x":1e999}', 'application/json'))).toEqual({ x: null });
  });

  it('reads stored headers that are not JSON as no content type', () => {
    expect(templateBody({ body: Buffer.from('{"a":1}'), headers: 'not json' })).toBe('{"a":1}');
  });
});

describe('shownBody', () => {
  it('redacts secret-looking fields and the trigger paths, and cuts at the cap', () => {
    const body = stored('{"token":"t-1","room":"east","card":{"pan":"4111"}}', 'application/json');
    expect(JSON.parse(shownBody(body, 4096, compileRedactPaths(['body.card.pan'])).body!.toString())).toEqual({
      token: '[redacted]',
      room: 'east',
      card: { pan: '[redacted]' },
    });
    expect(shownBody(body, 10, NO_PATHS)).toEqual({ body: Buffer.from('{"token":"'), truncated: true });
  });

  it('shows a body declared JSON that is not JSON as redacted whole, and other types as they came', () => {
    expect(shownBody(stored('{"password": "p', 'application/json'), 4096, NO_PATHS)).toEqual({
      body: Buffer.from('[redacted]'),
      truncated: true,
    });
    expect(shownBody(stored('password=p', 'text/plain'), 4096, NO_PATHS)).toEqual({
      body: Buffer.from('password=p'),
      truncated: false,
    });
    expect(shownBody(stored(null), 4096, NO_PATHS)).toEqual({ body: null, truncated: false });
  });
});
