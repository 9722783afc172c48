// Checks 1–2 without a server: every way to miss an instance is the same 404, told apart
// only by the log's reason; the right secret from an allowed address passes.
import { describe, expect, it } from 'vitest';
import { fixtureCatalog, fixtureRequest, SECRET } from '../../../test/support/check-fixtures.js';
import { findInstance } from './find-instance.js';

const catalog = fixtureCatalog();

describe('findInstance', () => {
  it('passes the instance for the right secret in the query or the path', () => {
    expect(findInstance(catalog, fixtureRequest())).toMatchObject({ passed: { id: 'trig-a' } });
    const inPath = fixtureRequest({
      route: '/webhook/:trigger/notify/:secret',
      params: { trigger: 'trig-a', secret: SECRET },
      query: {},
    });
    expect(findInstance(catalog, inPath)).toMatchObject({ passed: { id: 'trig-a' } });
  });

  it.each([
    ['unknown instance', fixtureRequest({ params: { trigger: 'trig-nope' } })],
    ['instance disabled', fixtureRequest({ params: { trigger: 'trig-disabled' } })],
    ['webhooks are off for its trigger', fixtureRequest({ params: { trigger: 'trig-off' } })],
    ['secret missing', fixtureRequest({ query: {} })],
    ['secret wrong', fixtureRequest({ query: { secret: 'wrong' } })],
    ['secret wrong', fixtureRequest({ query: { secret: `${SECRET}x` } })],
    ['address 127.0.0.1 not in allow_from', fixtureRequest({ params: { trigger: 'trig-allow' } })],
  ])('answers the same 404 for "%s", saying why only in the log reason', (reason, request) => {
    const checked = findInstance(catalog, request);
    expect(checked).toEqual({
      refused: {
        status: 404,
        headers: {},
        body: { error: 'not_found', message: 'No trigger at this URL, or the secret is wrong.' },
        code: 'not_found',
        reason,
      },
    });
  });

  it('lets an allowed address through', () => {
    const request = fixtureRequest({ params: { trigger: 'trig-allow' }, clientIp: '192.0.2.44' });
    expect(findInstance(catalog, request)).toMatchObject({ passed: { id: 'trig-allow' } });
    expect(findInstance(catalog, { ...request, clientIp: '::ffff:192.0.2.44' })).toMatchObject({ passed: { id: 'trig-allow' } });
  });

  it('never matches a secret for an unknown instance, whatever is sent', () => {
    expect(catalog.secretMatches(undefined, SECRET)).toBe(false);
    expect(catalog.secretMatches(undefined, '')).toBe(false);
  });
});
