// What the request log keeps: the secret found by the route parameter (an instance may be
// called `notify`), the query without it, redacted headers and bodies.
import { describe, expect, it } from 'vitest';
import { fixtureRequest } from '../../test/support/check-fixtures.js';
import { loggedBody, loggedHeaders, loggedPath, storedBody } from './logged-request.js';
import { compileRedactPaths } from './redact-paths.js';

describe('loggedPath', () => {
  it('replaces the secret parameter, whatever the instance is called', () => {
    const request = fixtureRequest({
      route: '/webhook/:trigger/notify/:secret',
      params: { trigger: 'notify', secret: 'S3CRET-0123456789abcdef' },
      query: {},
    });
    expect(loggedPath(request)).toBe('/webhook/notify/notify/[redacted]');
    const exec = fixtureRequest({
      route: '/api/engine/v2/webhook/:trigger/notify/:secret/:mod/:index/:method',
      params: { trigger: 'notify', secret: 'notify', mod: 'Display', index: '1', method: 'power' },
      query: {},
    });
    expect(loggedPath(exec)).toBe('/api/engine/v2/webhook/notify/notify/[redacted]/Display/1/power');
  });

  it('drops the secret from the query and redacts secret-looking values', () => {
    const request = fixtureRequest({ query: { secret: 'S3CRET', room: '101', token: 't0k', tag: ['a', 'b'] } });
    expect(loggedPath(request)).toBe('/webhook/trig-a/notify?room=101&token=%5Bredacted%5D&tag=a&tag=b');
  });

  it('encodes an instance id that needs it', () => {
    expect(loggedPath(fixtureRequest({ params: { trigger: 'a b/c' }, query: {} }))).toBe('/webhook/a%20b%2Fc/notify');
  });
});

describe('loggedBody and loggedHeaders', () => {
  it('redacts JSON and form fields and keeps the rest', () => {
    const json = loggedBody(Buffer.from('{"token":"t","x":1}'), { token: 't', x: 1 }, 'json', 4096);
    expect(json.body?.toString()).toBe('{"token":"[redacted]","x":1}');
    const form = loggedBody(Buffer.from('password=p&x=1'), { password: 'p', x: '1' }, 'form', 4096);
    expect(form.body?.toString()).toBe('password=%5Bredacted%5D&x=1');
  });

  it('cuts at the cap and says so', () => {
    expect(loggedBody(Buffer.from('abcdef'), undefined, 'other', 3)).toEqual({ body: Buffer.from('abc'), truncated: true });
  });

  it('keeps no unparsed JSON body, which may hold a credential', () => {
    expect(loggedBody(Buffer.from('{"password":"p'), undefined, 'json', 4096)).toEqual({
      body: Buffer.from('[redacted]'),
      truncated: true,
    });
  });

  it('redacts credential headers', () => {
    expect(JSON.parse(loggedHeaders({ authorization: 'Bearer x', 'x-api-key': 'k', accept: '*/*' }))).toEqual({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      accept: '*/*',
    });
  });
});

describe('a trigger’s own redact paths', () => {
  const paths = compileRedactPaths(['body.observations.*.clientMac', 'body.apMac', 'headers.X-Device-Id', 'query.room']);

  it('redacts what the paths reach in the body, with * for any element', () => {
    const parsed = {
      apMac: 'aa',
      observations: [
        { clientMac: 'c1', rssi: -60 },
        { clientMac: 'c2', rssi: -70 },
      ],
    };
    const logged = loggedBody(Buffer.from(JSON.stringify(parsed)), parsed, 'json', 4096, paths.body);
    expect(JSON.parse(logged.body!.toString())).toEqual({
      apMac: '[redacted]',
      observations: [
        { clientMac: '[redacted]', rssi: -60 },
        { clientMac: '[redacted]', rssi: -70 },
      ],
    });
    expect(parsed.observations[0]!.clientMac).toBe('c1'); // the request itself is left alone
  });

  it('redacts headers (any case) and query values the paths name', () => {
    expect(JSON.parse(loggedHeaders({ 'x-device-id': 'd-1', accept: '*/*' }, paths.headers))).toEqual({
      'x-device-id': '[redacted]',
      accept: '*/*',
    });
    expect(loggedPath(fixtureRequest({ query: { secret: 's', room: '101', floor: '2' } }), paths)).toBe(
      '/webhook/trig-a/notify?room=%5Bredacted%5D&floor=2',
    );
  });

  it('keeps a text body whole, whatever words it holds', () => {
    const text = Buffer.from('the password policy changed; token rotation is due');
    expect(loggedBody(text, undefined, 'other', 4096)).toEqual({ body: text, truncated: false });
  });
});

describe('storedBody', () => {
  const big = JSON.stringify({ room: 'east', pad: 'x'.repeat(10_000) });

  it('keeps a body with nothing to redact as it arrived, whole, byte for byte', () => {
    const raw = Buffer.from(`\uFEFF{ "room" : "east" }`);
    expect(storedBody(raw, { room: 'east' }, 'json')).toEqual({ body: raw, asReceived: true });
    expect(storedBody(Buffer.from(big), JSON.parse(big), 'json')).toEqual({ body: Buffer.from(big), asReceived: true });
    expect(storedBody(Buffer.from('a=1'), { a: '1' }, 'form')).toEqual({ body: Buffer.from('a=1'), asReceived: true });
    expect(storedBody(Buffer.from('token=t in text'), undefined, 'other')).toEqual({
      body: Buffer.from('token=t in text'),
      asReceived: true,
    });
  });

  it('stores a body with secret-looking fields or values at the trigger paths redacted, whole, not as it arrived', () => {
    const secret = { token: 't', pad: 'x'.repeat(10_000) };
    const stored = storedBody(Buffer.from(JSON.stringify(secret)), secret, 'json');
    expect(stored.asReceived).toBe(false);
    expect(JSON.parse(stored.body!.toString())).toEqual({ token: '[redacted]', pad: secret.pad });
    const mac = { seen: [{ mac: 'aa:bb' }] };
    expect(storedBody(Buffer.from(JSON.stringify(mac)), mac, 'json', [['seen', '*', 'mac']])).toEqual({
      body: Buffer.from('{"seen":[{"mac":"[redacted]"}]}'),
      asReceived: false,
    });
    // A path that reaches nothing redacts nothing: the body is kept as it arrived.
    expect(storedBody(Buffer.from(JSON.stringify(mac)), mac, 'json', [['seen', '*', 'ip']]).asReceived).toBe(true);
  });

  it('keeps no unparsed JSON body, and nothing of an empty one', () => {
    expect(storedBody(Buffer.from('{"password":"p'), undefined, 'json')).toEqual({
      body: Buffer.from('[redacted]'),
      asReceived: false,
    });
    expect(storedBody(Buffer.alloc(0), undefined, 'json')).toEqual({ body: null, asReceived: false });
    expect(storedBody(undefined, undefined, 'other')).toEqual({ body: null, asReceived: false });
  });
});
