// What an unknown key's problem says: the key it is likely meant to be, and our name for a PlaceOS one.
import { describe, expect, it } from 'vitest';
import { meantKey, unknownKeyMessage } from './unknown-key.js';

describe('unknownKeyMessage', () => {
  it('names the nearest known key', () => {
    expect(unknownKeyMessage('debounse', ['debounce', 'methods'])).toBe('Unrecognized key: "debounse"; did you mean "debounce"?');
  });

  it('says only that the key is unknown when no known key is near', () => {
    expect(unknownKeyMessage('colour', ['debounce', 'methods'])).toBe('Unrecognized key: "colour"');
  });

  it('lists the known keys instead, when asked', () => {
    expect(unknownKeyMessage('colour', ['input'], true)).toBe('Unrecognized key: "colour"; known keys: input');
  });

  it.each([
    ['debounce_period', 'debounce (write 30s or 500ms)'],
    ['supported_methods', 'methods (a list such as [GET, POST])'],
    ['exec_enabled', 'exec (true or false, on the instance)'],
    ['enable_webhook', 'webhook (true or false, on the trigger)'],
  ])('maps PlaceOS`s %s to ours', (key, ours) => {
    expect(unknownKeyMessage(key, [])).toBe(`Unrecognized key: "${key}"; PlaceOS calls it ${key}, here it is ${ours}`);
  });
});

describe('meantKey', () => {
  it('is our name for a PlaceOS one, else the nearest known key', () => {
    expect(meantKey('debounce_period', [])).toBe('debounce');
    expect(meantKey('sate', ['state'])).toBe('state');
    expect(meantKey('colour', ['state'])).toBeUndefined();
  });
});
