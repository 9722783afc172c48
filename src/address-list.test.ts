// Covers address lists: single addresses, IPv4 and IPv6 ranges, IPv4-mapped forms, bad entries.
import { describe, expect, it } from 'vitest';
import { addressEntryProblem, addressListMatcher } from './address-list.js';

describe('address lists', () => {
  const allows = addressListMatcher(['192.0.2.7', '10.20.0.0/16', '2001:db8::/32', '::ffff:198.51.100.0/120']);

  it.each([
    ['192.0.2.7', true],
    ['192.0.2.8', false],
    ['10.20.255.1', true],
    ['10.21.0.1', false],
    ['::ffff:10.20.1.1', true],
    ['2001:db8:1::5', true],
    ['2001:db9::1', false],
    ['198.51.100.9', true],
    ['not an ip', false],
    ['', false],
  ])('%s → %s', (ip, expected) => {
    expect(allows(ip)).toBe(expected);
  });

  it('names an entry that is not an address or range', () => {
    expect(addressEntryProblem('10.0.0.0/8')).toBeUndefined();
    expect(addressEntryProblem('::1')).toBeUndefined();
    expect(addressEntryProblem('10.0.0.0/33')).toMatch(/"10.0.0.0\/33" is not an IP address or a CIDR range/);
    expect(addressEntryProblem('meraki.com')).toMatch(/is not an IP address/);
  });
});
