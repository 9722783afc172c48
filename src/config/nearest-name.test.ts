// The nearest known name to a misspelt one: typos are found, strangers are not, and many
// unknown names against a few known ones stay fast.
import { describe, expect, it } from 'vitest';
import { editDistance, nearestName } from './nearest-name.js';

const TRIGGER_KEYS = [
  'id',
  'name',
  'description',
  'webhook',
  'conditions',
  'mode',
  'methods',
  'debounce',
  'debounce_mode',
  'actions',
];

describe('nearestName', () => {
  it.each([
    ['debounse', 'debounce'],
    ['enabeld', 'enabled'],
    ['trigers', 'triggers'],
    ['sate', 'state'],
    ['Debounce', 'debounce'],
    ['method', 'methods'],
  ])('takes %s for %s', (typo, meant) => {
    expect(nearestName(typo, [...TRIGGER_KEYS, 'enabled', 'triggers', 'state'])).toBe(meant);
  });

  it('suggests nothing for a name that is not close to any', () => {
    expect(nearestName('k000123', TRIGGER_KEYS)).toBeUndefined();
    expect(nearestName('xy', TRIGGER_KEYS)).toBeUndefined();
    expect(nearestName('anything', [])).toBeUndefined();
  });

  it('allows one edit in a name of up to four letters and two in a longer one', () => {
    expect(nearestName('naem', ['name'])).toBe('name');
    expect(nearestName('nmae', ['name'])).toBe('name');
    expect(nearestName('nx', ['name'])).toBeUndefined();
    expect(nearestName('actoins', ['actions'])).toBe('actions');
    expect(nearestName('axtuins', ['actions'])).toBeUndefined();
  });

  it('prefers the nearer of two candidates, and the first of two as near', () => {
    expect(nearestName('mode', ['methods', 'mode'])).toBe('mode');
    expect(nearestName('modes', ['mode', 'nodes'])).toBe('mode');
  });
});

describe('editDistance', () => {
  it('counts inserts, deletes, changes and swaps of neighbours, up to its limit', () => {
    expect(editDistance('state', 'state', 2)).toBe(0);
    expect(editDistance('sate', 'state', 2)).toBe(1);
    expect(editDistance('stat', 'state', 2)).toBe(1);
    expect(editDistance('stete', 'state', 2)).toBe(1);
    expect(editDistance('sttae', 'state', 2)).toBe(1);
    expect(editDistance('abcdef', 'badcfe', 3)).toBe(3);
    expect(editDistance('completely', 'different', 2)).toBe(3);
  });
});
