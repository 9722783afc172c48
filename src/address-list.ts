// A list of IP addresses and CIDR ranges (`10.0.0.0/8`, `2001:db8::/32`, `192.0.2.7`) and
// the question whether an address is in it. IPv4 addresses written as IPv6
// (`::ffff:192.0.2.7`, as a dual-stack socket reports them) count as the IPv4 address.
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Why an entry is not an address or CIDR range, or undefined when it is one. */
export function addressEntryProblem(entry: string): string | undefined {
  try {
    if (entry.includes('/')) ipaddr.parseCIDR(entry);
    else ipaddr.parse(entry);
    return undefined;
  } catch {
    return `"${entry}" is not an IP address or a CIDR range such as 192.0.2.0/24`;
  }
}

/** Compiles entries (checked with addressEntryProblem) into a membership test. */
export function addressListMatcher(entries: readonly string[]): (ip: string) => boolean {
  const ranges = entries.map((entry): [Address, number] => {
    if (entry.includes('/')) return normalizedRange(ipaddr.parseCIDR(entry));
    const address = normalized(ipaddr.parse(entry));
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  });
  return (ip) => {
    let address: Address;
    try {
      address = normalized(ipaddr.parse(ip));
    } catch {
      return false;
    }
    return ranges.some(([base, bits]) => base.kind() === address.kind() && address.match(base, bits));
  };
}

function normalized(address: Address): Address {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

function normalizedRange([address, bits]: [Address, number]): [Address, number] {
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96];
  }
  return [address, bits];
}
