// SSRF guard for outbound webhooks: refuses connections to non-public addresses, judged after DNS.
import { promises as dnsPromises, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export interface AddressGuardOptions {
  /** Hostnames (exact, case-insensitive), IPs, or CIDRs like 10.1.0.0/16 or fd00::/8. */
  allow?: readonly string[];
}

export class AddressBlocked extends Error {
  readonly code = 'address_blocked';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly kind: string,
  ) {
    const article = /^[aeiou]/.test(kind) ? 'an' : 'a';
    super(
      `${host} resolves to ${address}, ${article} ${kind} address; outbound webhooks may not connect to it unless it is allow-listed (outbound.allow)`,
    );
    this.name = 'AddressBlocked';
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export interface AddressGuard {
  /** Why an IP is refused ('loopback', 'private', 'link-local', 'cgnat', 'multicast', 'unspecified', 'unique-local', 'reserved', …) or undefined when allowed; honours the allow list. */
  blockedKind(ip: string, host?: string): string | undefined;
  /**
   * A drop-in `lookup` for http.request/https.request/net.connect. Every resolved address is
   * checked and, if any is blocked, the connection fails with AddressBlocked: a DNS answer that
   * mixes public and private addresses is refused rather than filtered. Node then connects to
   * exactly the addresses checked here, so a rebinding DNS server gets no second answer.
   *
   * Node never calls `lookup` when the host is an IP literal (`net.isIP(host)` is non-zero: it
   * connects directly), so the sender must check such hosts with `blockedKind` itself.
   */
  lookup: (hostname: string, options: LookupOptions, callback: LookupCallback) => void;
  /**
   * Resolves a name (or takes an IP literal) and checks every address as `lookup` does, for
   * when something else connects: behind `outbound.proxy` the proxy resolves the target and
   * connects to it, so this check of our own resolution is as far as the guard can see.
   * Rejects with AddressBlocked, or with the DNS error when the name does not resolve here.
   */
  check: (hostname: string) => Promise<LookupAddress[]>;
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

// ipaddr.js range names → our kinds. 'unicast' is the only name that means "ordinary internet
// host"; any other name (including ones a later ipaddr.js adds) is refused as 'reserved'.
const IPV4_KINDS: Record<string, string> = {
  unspecified: 'unspecified', // 0.0.0.0/8, "this network"
  broadcast: 'broadcast',
  multicast: 'multicast',
  linkLocal: 'link-local', // 169.254.0.0/16, cloud metadata lives here
  loopback: 'loopback',
  carrierGradeNat: 'cgnat',
  private: 'private',
  reserved: 'reserved', // IETF protocol assignments, documentation, benchmarking, 240.0.0.0/4
};
const IPV6_KINDS: Record<string, string> = {
  unspecified: 'unspecified',
  loopback: 'loopback',
  linkLocal: 'link-local',
  multicast: 'multicast',
  uniqueLocal: 'unique-local',
  deprecatedSiteLocal: 'site-local',
  reserved: 'reserved', // 2001::/23, documentation 2001:db8::/32 and 3fff::/20
};

// Ranges ipaddr.js does not name precisely enough for us.
// IPv4-compatible (deprecated, RFC 4291): ::a.b.c.d. ipaddr.js calls these 'unicast'.
const IPV4_COMPATIBLE = ipaddr.IPv6.parseCIDR('::/96');
// ipaddr.js's 'rfc6052' also covers the local-use 64:ff9b:1::/48 (RFC 8215), where the IPv4
// address may sit at several offsets; only the well-known /96 is unwrapped, the rest is refused.
const NAT64_WELL_KNOWN = ipaddr.IPv6.parseCIDR('64:ff9b::/96');

/**
 * The IPv4 addresses an IPv6 address stands for, when it is a tunnel or translation form:
 * such an address is judged by the IPv4 host it reaches. Undefined when it embeds none.
 */
function embeddedIPv4(address: ipaddr.IPv6, range: string): ipaddr.IPv4[] | undefined {
  const bytes = address.toByteArray();
  const v4 = (at: number, invert = false) => new ipaddr.IPv4(bytes.slice(at, at + 4).map((b) => (invert ? b ^ 0xff : b)));
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d (SIIT)
      return [v4(12)];
    case 'rfc6052': // NAT64 64:ff9b::a.b.c.d
      return address.match(NAT64_WELL_KNOWN) ? [v4(12)] : undefined;
    case '6to4': // 2002:AABB:CCDD::/48
      return [v4(2)];
    case 'teredo': // 2001:0:server(32):flags:port:client(32, inverted)
      return [v4(4), v4(12, true)];
    case 'unicast':
      return address.match(IPV4_COMPATIBLE) ? [v4(12)] : undefined;
    default:
      return undefined;
  }
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function normalizeHost(host: string): string {
  return stripBrackets(host.trim().toLowerCase()).replace(/\.$/, '');
}

/** Lenient on purpose: '127.1' or '2130706433' parse as getaddrinfo would read them. */
function parseAddress(ip: string): Address | undefined {
  try {
    return ipaddr.parse(stripBrackets(ip.trim()));
  } catch {
    return undefined;
  }
}

function parseAllowList(entries: readonly string[]): { hosts: Set<string>; nets: Cidr[] } {
  const hosts = new Set<string>();
  const nets: Cidr[] = [];
  for (const raw of entries) {
    const entry = raw.trim();
    const [base = '', prefix, ...rest] = entry.split('/');
    if (prefix !== undefined) {
      if (rest.length > 0 || !isIP(base) || !/^\d{1,3}$/.test(prefix) || !ipaddr.isValidCIDR(entry)) {
        throw new Error(`outbound.allow: "${raw}" is not a valid CIDR; write it like 10.1.0.0/16 or fd00::/8.`);
      }
      nets.push(ipaddr.parseCIDR(entry));
    } else if (isIP(stripBrackets(entry))) {
      const address = ipaddr.parse(stripBrackets(entry));
      nets.push([address, address instanceof ipaddr.IPv4 ? 32 : 128]);
    } else if (entry === '' || /[\s:/@]/.test(entry)) {
      throw new Error(`outbound.allow: "${raw}" is not a hostname, an IP address or a CIDR.`);
    } else {
      hosts.add(normalizeHost(entry));
    }
  }
  return { hosts, nets };
}

function notFound(host: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), {
    code: 'ENOTFOUND',
    hostname: host,
    syscall: 'getaddrinfo',
  });
}

function wantedFamily(family: LookupOptions['family']): number {
  if (family === 'IPv4') return 4;
  if (family === 'IPv6') return 6;
  return family ?? 0;
}

const systemResolver = (hostname: string): Promise<LookupAddress[]> =>
  dnsPromises.lookup(hostname, { all: true, verbatim: true });

export function createAddressGuard(
  options: AddressGuardOptions = {},
  resolver: (hostname: string) => Promise<LookupAddress[]> = systemResolver,
): AddressGuard {
  const { hosts, nets } = parseAllowList(options.allow ?? []);

  const isAllowListed = (address: Address): boolean =>
    nets.some(([net, bits]) => net.kind() === address.kind() && address.match(net, bits));

  function kindOf(address: Address): string | undefined {
    if (isAllowListed(address)) return undefined;
    const range = address.range();
    if (address instanceof ipaddr.IPv4) {
      return range === 'unicast' ? undefined : (IPV4_KINDS[range] ?? 'reserved');
    }
    const embedded = embeddedIPv4(address, range);
    if (embedded) {
      for (const v4 of embedded) {
        const kind = kindOf(v4);
        if (kind) return kind;
      }
      return undefined;
    }
    return range === 'unicast' ? undefined : (IPV6_KINDS[range] ?? 'reserved');
  }

  function blockedKind(ip: string, host?: string): string | undefined {
    if (host !== undefined && hosts.has(normalizeHost(host))) return undefined;
    const address = parseAddress(ip);
    // Fail closed: something that is not an address cannot be shown to be public.
    return address ? kindOf(address) : 'invalid';
  }

  async function resolveChecked(hostname: string, options: LookupOptions): Promise<LookupAddress[]> {
    const host = stripBrackets(hostname);
    const literal = isIP(host);
    const addresses = literal ? [{ address: host, family: literal }] : await resolver(host);
    // Check every answer before choosing any, so one private record poisons the whole name.
    for (const { address } of addresses) {
      const kind = blockedKind(address, host);
      if (kind) throw new AddressBlocked(host, address, kind);
    }
    const family = wantedFamily(options.family);
    const usable = family ? addresses.filter((a) => a.family === family) : addresses;
    if (usable.length === 0) throw notFound(host);
    return usable;
  }

  const lookup: AddressGuard['lookup'] = (hostname, options, callback) => {
    resolveChecked(hostname, options).then(
      (addresses) => {
        if (options.all) return callback(null, addresses);
        const [first] = addresses as [LookupAddress];
        callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, options.all ? [] : ''),
    );
  };

  return { blockedKind, lookup, check: (hostname) => resolveChecked(hostname, {}) };
}
