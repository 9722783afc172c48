// The SSRF guard refuses non-public addresses (v4, v6 and v4-in-v6 forms) unless allow-listed.
import type { LookupAddress, LookupOptions } from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AddressBlocked, createAddressGuard, type AddressGuard } from './address-guard.js';

const answers = (...addresses: string[]): LookupAddress[] =>
  addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

const resolveTo = (...addresses: string[]) => vi.fn(async (_host: string) => answers(...addresses));

function lookup(guard: AddressGuard, host: string, options: LookupOptions) {
  return new Promise<{ address: string | LookupAddress[]; family?: number }>((resolve, reject) => {
    guard.lookup(host, options, (err, address, family) => (err ? reject(err) : resolve({ address, family })));
  });
}

describe('blockedKind', () => {
  const guard = createAddressGuard();

  // Svix's own vectors (svix-webhooks, webhook_http_client.rs `is_allowed_test`).
  const svixBlocked: [string, string][] = [
    ['10.254.0.0', 'private'],
    ['192.168.10.65', 'private'],
    ['172.16.10.65', 'private'],
    ['0.1.2.3', 'unspecified'],
    ['0.0.0.0', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['169.254.45.1', 'link-local'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.255', 'reserved'],
    ['198.51.100.65', 'reserved'],
    ['203.0.113.6', 'reserved'],
    ['100.100.0.0', 'cgnat'],
    ['192.0.0.0', 'reserved'],
    ['192.0.0.255', 'reserved'],
    ['250.10.20.30', 'reserved'],
    ['198.18.0.0', 'reserved'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:0.0.0.1', 'unspecified'],
  ];
  const svixAllowed = ['1.1.1.1', '0:0:0:ffff::1', '2001:4860:4860::8888', '::ffff:8.8.8.8'];

  const blocked: [string, string][] = [
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.255', 'multicast'],
    ['198.18.0.1', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['::', 'unspecified'],
    ['[::1]', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:0:a00:1', 'private'], // IPv4-translated (SIIT)
    ['::127.0.0.1', 'loopback'], // IPv4-compatible
    ['::a00:1', 'private'], // IPv4-compatible, hex form
    ['64:ff9b::a00:1', 'private'], // NAT64 of 10.0.0.1
    ['64:ff9b::a9fe:a9fe', 'link-local'], // NAT64 of 169.254.169.254
    ['64:ff9b:1::a00:1', 'reserved'], // local-use NAT64 prefix
    ['2002:a00:1::', 'private'], // 6to4 of 10.0.0.1
    ['2002:7f00:1::1', 'loopback'], // 6to4 of 127.0.0.1
    ['2001:0:4136:e378:8000:63bf:f5ff:fffe', 'private'], // Teredo, client 10.0.0.1
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fec0::1', 'site-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['3fff::1', 'reserved'],
    ['100::1', 'reserved'], // discard-only
    ['127.1', 'loopback'], // shorthand getaddrinfo accepts
    ['2130706433', 'loopback'], // 127.0.0.1 as one number
  ];
  const allowed = [
    '172.32.0.1',
    '100.128.0.1',
    '8.8.8.8',
    '2606:4700:4700::1111',
    '64:ff9b::808:808', // NAT64 of 8.8.8.8
    '2002:808:808::1', // 6to4 of 8.8.8.8
    '[2001:4860:4860::8888]',
  ];

  it.each([...svixBlocked, ...blocked])('refuses %s as %s', (ip, kind) => {
    expect(guard.blockedKind(ip)).toBe(kind);
  });

  it.each([...svixAllowed, ...allowed])('allows public %s', (ip) => {
    expect(guard.blockedKind(ip)).toBeUndefined();
  });

  it('refuses what is not an address at all, rather than letting it through', () => {
    expect(guard.blockedKind('hooks.example.com')).toBe('invalid');
    expect(guard.blockedKind('')).toBe('invalid');
  });
});

describe('allow list', () => {
  it('allows exactly an allow-listed address, and its IPv4-mapped form', () => {
    const guard = createAddressGuard({ allow: ['127.0.0.1'] });
    expect(guard.blockedKind('127.0.0.1')).toBeUndefined();
    expect(guard.blockedKind('::ffff:127.0.0.1')).toBeUndefined();
    expect(guard.blockedKind('127.0.0.2')).toBe('loopback');
  });

  it('allows addresses inside an allow-listed CIDR and nothing outside it', () => {
    const guard = createAddressGuard({ allow: ['10.1.0.0/16', 'fd00::/8'] });
    expect(guard.blockedKind('10.1.2.3')).toBeUndefined();
    expect(guard.blockedKind('10.2.0.1')).toBe('private');
    expect(guard.blockedKind('fd12:3456::1')).toBeUndefined();
    expect(guard.blockedKind('fc00::1')).toBe('unique-local');
  });

  it('allows a bracketed IPv6 entry', () => {
    const guard = createAddressGuard({ allow: ['[::1]'] });
    expect(guard.blockedKind('::1')).toBeUndefined();
  });

  it('allows whatever an allow-listed hostname resolves to, matching the name case-insensitively', async () => {
    const guard = createAddressGuard({ allow: ['hooks.internal'] }, resolveTo('10.0.0.5', 'fd00::5'));
    expect(guard.blockedKind('10.0.0.5', 'HOOKS.Internal')).toBeUndefined();
    expect(guard.blockedKind('10.0.0.5', 'other.internal')).toBe('private');
    await expect(lookup(guard, 'Hooks.Internal', { all: true })).resolves.toEqual({
      address: answers('10.0.0.5', 'fd00::5'),
      family: undefined,
    });
    await expect(lookup(guard, 'other.internal', { all: true })).rejects.toBeInstanceOf(AddressBlocked);
  });

  it('rejects entries that are neither a hostname, an IP nor a valid CIDR', () => {
    expect(() => createAddressGuard({ allow: ['10.0.0.0/33'] })).toThrow(/outbound\.allow.*CIDR/);
    expect(() => createAddressGuard({ allow: ['hooks.internal/24'] })).toThrow(/outbound\.allow/);
    expect(() => createAddressGuard({ allow: ['http://hooks.internal'] })).toThrow(/outbound\.allow/);
  });
});

describe('lookup', () => {
  it('fails the connection when any resolved address is blocked, naming that address', async () => {
    const guard = createAddressGuard({}, resolveTo('8.8.8.8', '10.0.0.1'));
    const err = await lookup(guard, 'mixed.example', { all: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AddressBlocked);
    expect(err).toMatchObject({ host: 'mixed.example', address: '10.0.0.1', kind: 'private', code: 'address_blocked' });
    expect((err as Error).message).toBe(
      'mixed.example resolves to 10.0.0.1, a private address; outbound webhooks may not connect to it unless it is allow-listed (outbound.allow)',
    );
  });

  it('fails even when the blocked address is of a family the caller did not ask for', async () => {
    const guard = createAddressGuard({}, resolveTo('8.8.8.8', '::1'));
    await expect(lookup(guard, 'mixed.example', { family: 4 })).rejects.toMatchObject({ address: '::1' });
  });

  it('passes public addresses through as an array when all is true', async () => {
    const guard = createAddressGuard({}, resolveTo('8.8.8.8', '2001:4860:4860::8888'));
    const { address } = await lookup(guard, 'dns.example', { all: true });
    expect(address).toEqual(answers('8.8.8.8', '2001:4860:4860::8888'));
  });

  it('passes the first public address and its family when all is false', async () => {
    const guard = createAddressGuard({}, resolveTo('2001:4860:4860::8888', '8.8.8.8'));
    await expect(lookup(guard, 'dns.example', {})).resolves.toEqual({ address: '2001:4860:4860::8888', family: 6 });
    await expect(lookup(guard, 'dns.example', { family: 4 })).resolves.toEqual({ address: '8.8.8.8', family: 4 });
    await expect(lookup(guard, 'dns.example', { family: 'IPv6', all: true })).resolves.toEqual({
      address: answers('2001:4860:4860::8888'),
      family: undefined,
    });
  });

  it('checks literal IP hosts without asking DNS', async () => {
    const resolver = resolveTo('8.8.8.8');
    const guard = createAddressGuard({}, resolver);
    await expect(lookup(guard, '[::1]', {})).rejects.toMatchObject({ address: '::1', kind: 'loopback' });
    await expect(lookup(guard, '1.1.1.1', {})).resolves.toEqual({ address: '1.1.1.1', family: 4 });
    expect(resolver).not.toHaveBeenCalled();
  });

  it('passes DNS failures through unchanged', async () => {
    const failure = Object.assign(new Error('getaddrinfo ENOTFOUND nowhere.invalid'), { code: 'ENOTFOUND' });
    const guard = createAddressGuard({}, async () => {
      throw failure;
    });
    await expect(lookup(guard, 'nowhere.invalid', {})).rejects.toBe(failure);
  });

  it('answers ENOTFOUND when no address of the asked family exists', async () => {
    const guard = createAddressGuard({}, resolveTo('8.8.8.8'));
    await expect(lookup(guard, 'v4only.example', { family: 6 })).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('check (for targets a proxy connects to)', () => {
  it('resolves and judges every answer as lookup does, an allow-listed name passing', async () => {
    await expect(createAddressGuard({}, resolveTo('8.8.8.8', '10.0.0.1')).check('mixed.example')).rejects.toMatchObject({
      address: '10.0.0.1',
      kind: 'private',
    });
    await expect(createAddressGuard({}, resolveTo('8.8.8.8')).check('dns.example')).resolves.toEqual(answers('8.8.8.8'));
    const allowed = createAddressGuard({ allow: ['hooks.internal'] }, resolveTo('10.0.0.5'));
    await expect(allowed.check('hooks.internal')).resolves.toEqual(answers('10.0.0.5'));
  });

  it('takes an IP literal without asking DNS', async () => {
    const resolver = resolveTo('8.8.8.8');
    await expect(createAddressGuard({}, resolver).check('[::1]')).rejects.toMatchObject({ kind: 'loopback' });
    expect(resolver).not.toHaveBeenCalled();
  });
});

describe('lookup wired into http.get', () => {
  const servers: http.Server[] = [];
  let port = 0;

  beforeAll(async () => {
    const listen = (host: string, at: number) =>
      new Promise<http.Server>((resolve, reject) => {
        const server = http.createServer((_req, res) => res.end('ok'));
        server.once('error', reject).listen(at, host, () => resolve(server));
      });
    const v4 = await listen('127.0.0.1', 0);
    servers.push(v4);
    port = (v4.address() as AddressInfo).port;
    // localhost may resolve to ::1 first; listen there too when the host has IPv6.
    await listen('::1', port).then(
      (v6) => servers.push(v6),
      () => undefined,
    );
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  const get = (guard: AddressGuard, host = 'localhost') =>
    new Promise<number>((resolve, reject) => {
      http
        .get({ host, port, path: '/', lookup: guard.lookup, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', reject);
    });

  it('refuses to connect to localhost when nothing is allow-listed', async () => {
    const err = await get(createAddressGuard()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AddressBlocked);
    expect(err).toMatchObject({ host: 'localhost', kind: 'loopback' });
  });

  it('connects to localhost when its loopback addresses are allow-listed', async () => {
    await expect(get(createAddressGuard({ allow: ['127.0.0.1', '::1'] }))).resolves.toBe(200);
  });

  // Why the sender must call blockedKind for IP-literal hosts itself.
  it('is bypassed by Node for an IP-literal host, which connects without calling lookup', async () => {
    const guard = createAddressGuard();
    const spy = vi.spyOn(guard, 'lookup');
    await expect(get(guard, '127.0.0.1')).resolves.toBe(200);
    expect(spy).not.toHaveBeenCalled();
    expect(guard.blockedKind('127.0.0.1')).toBe('loopback');
  });
});
