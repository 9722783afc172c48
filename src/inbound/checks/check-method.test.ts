// Check 3 without a server: a method the trigger does not take is 405 with Allow.
import { describe, expect, it } from 'vitest';
import { fixtureCatalog } from '../../../test/support/check-fixtures.js';
import { checkMethod } from './check-method.js';

const trigger = fixtureCatalog().get('trig-a')!.trigger;

describe('checkMethod', () => {
  it('passes the methods the trigger takes', () => {
    expect(checkMethod(trigger, 'POST')).toBeUndefined();
    expect(checkMethod(trigger, 'PUT')).toBeUndefined();
  });

  it('answers 405 with Allow listing them otherwise', () => {
    expect(checkMethod(trigger, 'DELETE')).toMatchObject({
      status: 405,
      headers: { Allow: 'POST, PUT' },
      code: 'method_not_allowed',
      body: { error: 'method_not_allowed', message: 'Method DELETE is not allowed here; use POST, PUT.' },
    });
  });
});
