// Outbound on the networks operators have: a subscription's own headers and its client
// certificate reach a receiver that requires one (mTLS, a private CA); `outbound.proxy`
// carries deliveries (CONNECT for https, absolute-form for http) and the address guard
// still judges the target behind it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { LookupAddress } from 'node:dns';
import net, { type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { ConfigInvalid } from '../src/config/problems.js';
import { createAddressGuard } from '../src/outbound/address-guard.js';
import { HttpSender } from '../src/outbound/http-sender.js';
import { databaseFile } from '../src/store/store.js';
import { makeCertificate } from './support/certificates.js';
import { Receiver } from './support/receiver.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'whsec_' + Buffer.from('mtls-proxy-test-signing-key-0123').toString('base64');
const TRIGGER_SECRET = 'mtls-trigger-secret-0123';
const TOKEN = 'tok_never_logged_4f1c0e9b7a2d';

let certs: string;
const pem = (name: string) => join(certs, name);

/** A CA, a receiver certificate for 127.0.0.1 and a client certificate, both issued by the CA. */
function makeCertificates(dir: string): void {
  makeCertificate(dir, 'ca', { cn: 'Switchboard Test CA' });
  const leaf = ['basicConstraints=critical,CA:FALSE'];
  makeCertificate(dir, 'server', { cn: 'receiver', extensions: [...leaf, 'subjectAltName=IP:127.0.0.1'], issuer: 'ca' });
  makeCertificate(dir, 'client', { cn: 'switchboard-client', extensions: leaf, issuer: 'ca' });
}

interface TlsReceived {
  headers: IncomingHttpHeaders;
  body: string;
  clientCn: string;
}

/** An HTTPS receiver that completes no handshake without a client certificate issued by the test CA. */
class MtlsReceiver {
  readonly requests: TlsReceived[] = [];
  private server: https.Server | undefined;

  async start(): Promise<this> {
    this.server = https.createServer(
      {
        key: readFileSync(pem('server-key.pem')),
        cert: readFileSync(pem('server.pem')),
        ca: readFileSync(pem('ca.pem')),
        // A client without a certificate from the CA is refused in the handshake.
        requestCert: true,
        rejectUnauthorized: true,
      },
      (req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const peer = (req.socket as TLSSocket).getPeerCertificate();
          this.requests.push({
            headers: req.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            clientCn: String(peer.subject?.CN),
          });
          res.writeHead(200).end('ok');
        });
      },
    );
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  url(path = '/hook'): string {
    return `https://127.0.0.1:${this.port}${path}`;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** A forward proxy in a few lines: CONNECT tunnels and absolute-form requests, to 127.0.0.1 only (502 elsewhere). */
class TinyProxy {
  /** What it was asked: `CONNECT host:port` or `METHOD absolute-url`. */
  readonly seen: string[] = [];
  private readonly server = http.createServer();
  private readonly sockets = new Set<net.Socket>();

  async start(): Promise<this> {
    this.server.on('connection', (socket: net.Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    this.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      this.seen.push(`${req.method} ${req.url}`);
      const target = new URL(req.url ?? '');
      if (target.hostname !== '127.0.0.1') return void res.writeHead(502).end('unknown host');
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    });
    this.server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      this.seen.push(`CONNECT ${req.url}`);
      const at = (req.url ?? '').lastIndexOf(':');
      const [host, port] = [(req.url ?? '').slice(0, at), Number((req.url ?? '').slice(at + 1))];
      client.on('error', () => client.destroy());
      if (host !== '127.0.0.1') return void client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n');
      const upstream = net.connect(port, host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls until `check` holds, or fails at the deadline (network time, not a fixed sleep). */
async function until(check: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function site(subscriptions: string, outbound = ''): string {
  return `
outbound:
  allow: [127.0.0.1]
${outbound}
systems:
  - id: sys-room
    modules: [{ driver: display }]
triggers:
  - id: wake
    actions:
      - call: Display_1.power
        args: { state: true }
instances:
  - { id: trig-room, trigger: wake, system: sys-room, secret: ${TRIGGER_SECRET} }
subscriptions:
${subscriptions}
`;
}

const tlsOf = () => `{ cert: "${pem('client.pem')}", key: "${pem('client-key.pem')}", ca: "${pem('ca.pem')}" }`;

async function fire(t: TestEngine): Promise<void> {
  const response = await fetch(t.url(`/webhook/trig-room/notify?secret=${TRIGGER_SECRET}`), { method: 'POST' });
  expect(response.status).toBe(202);
}

const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(() => {
  certs = mkdtempSync(join(tmpdir(), 'switchboard-mtls-'));
  makeCertificates(certs);
});
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});
afterAll(() => rmSync(certs, { recursive: true, force: true }));

async function started<T extends { close(): Promise<void> }>(part: Promise<T>): Promise<T> {
  const ready = await part;
  cleanups.push(() => ready.close());
  return ready;
}

async function engine(files: string, env: NodeJS.ProcessEnv = { TOKEN }): Promise<TestEngine> {
  const t = await startTestEngine({ files: { 'site.yaml': files }, env });
  cleanups.push(() => t.cleanup());
  return t;
}

describe('a subscription with headers and a client certificate', () => {
  it('presents the certificate and the headers to a receiver that requires a client certificate', async () => {
    const receiver = await started(new MtlsReceiver().start());
    // The receiver refuses whoever has no client certificate, even trusting its CA.
    const without = await new Promise<string>((resolve) => {
      const req = https.request(receiver.url(), { method: 'POST', ca: readFileSync(pem('ca.pem')) }, (res) =>
        resolve(`answered ${res.statusCode}`),
      );
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      req.end('{}');
    });
    expect(without).not.toMatch(/^answered/);

    const t = await engine(
      site(`  - id: sub-secure
    url: "${receiver.url()}"
    events: [trigger.fired]
    secret: "${SECRET}"
    headers: { authorization: "Bearer \${TOKEN}", X-Tenant: acme }
    tls: ${tlsOf()}`),
    );
    await fire(t);
    await until(() => receiver.requests.length === 1, 'the mTLS receiver');
    const [request] = receiver.requests;
    expect(request!.clientCn).toBe('switchboard-client');
    expect(request!.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      'x-tenant': 'acme',
      'content-type': 'application/json',
    });
    expect(() => new Webhook(SECRET).verify(request!.body, request!.headers as Record<string, string>)).not.toThrow();

    await t.engine.outbound.worker.idle();
    const [delivery] = await t.engine.store.outbox.list();
    expect(delivery).toMatchObject({ status: 'succeeded', last_status: 200 });
    // The headers are the subscription's secret: not in any log line, not in the database.
    expect(t.logs.text()).not.toContain(TOKEN);
    await t.stop();
    const file = databaseFile(t.dataDir);
    for (const part of [file, `${file}-wal`]) if (existsSync(part)) expect(readFileSync(part).includes(TOKEN)).toBe(false);
  });

  it('keeps its own content-type and signature headers when the sender is handed the same names', async () => {
    const receiver = await started(new Receiver().start());
    const sender = new HttpSender(createAddressGuard({ allow: ['127.0.0.1'] }));
    cleanups.push(() => sender.close());
    const result = await sender.post(
      receiver.url(),
      '{}',
      { 'webhook-id': 'msg_real' },
      {
        timeoutMs: 5_000,
        responseLimit: 100,
        headers: { 'Content-Type': 'text/plain', 'Webhook-Id': 'msg_forged', 'User-Agent': 'acme-gateway/2' },
      },
    );
    expect(result.status).toBe(200);
    expect(receiver.requests[0]!.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': 'msg_real',
      'user-agent': 'acme-gateway/2',
    });
  });

  it('refuses header names that would replace ours, and tls on an http url, at their place in the config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-headers-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'site.yaml'),
      site(`  - id: sub-bad
    url: http://hooks.example.com/in
    headers:
      Content-Type: text/plain
      webhook-signature: v1,forged
      x-ok: fine
      X-OK: twice
      "bad name": x
    tls: { cert: client.pem, key: client-key.pem }`),
    );
    const error = (() => {
      try {
        loadConfig(dir, {});
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigInvalid);
    const problems = (error as ConfigInvalid).problems.map((p) => `${p.path}: ${p.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^subscriptions\[0\]\.headers\.Content-Type: Content-Type is set by Switchboard/),
        expect.stringMatching(/^subscriptions\[0\]\.headers\.webhook-signature: webhook-signature is set by Switchboard/),
        expect.stringMatching(/^subscriptions\[0\]\.headers\.X-OK: X-OK is given twice/),
        expect.stringMatching(/^subscriptions\[0\]\.headers\.bad name: "bad name" is not a header name/),
        expect.stringMatching(/^subscriptions\[0\]\.tls: a client certificate is presented over TLS only/),
      ]),
    );
  });
});

describe('outbound.proxy', () => {
  it('sends http deliveries in absolute form and https ones through a CONNECT tunnel, mTLS inside', async () => {
    const proxy = await started(new TinyProxy().start());
    const plain = await started(new Receiver().start());
    const secure = await started(new MtlsReceiver().start());
    const t = await engine(
      site(
        `  - { id: sub-plain, url: "${plain.url()}", events: [trigger.fired], headers: { x-api-key: "\${TOKEN}" } }
  - id: sub-secure
    url: "${secure.url()}"
    events: [trigger.fired]
    tls: ${tlsOf()}`,
        `  proxy: ${proxy.url()}`,
      ),
    );
    await fire(t);
    await plain.waitFor(1);
    await until(() => secure.requests.length === 1, 'the mTLS receiver behind the proxy');
    expect(proxy.seen.sort()).toEqual([`CONNECT 127.0.0.1:${secure.port}`, `POST ${plain.url()}`]);
    expect(plain.requests[0]!.headers['x-api-key']).toBe(TOKEN);
    expect(secure.requests[0]!.clientCn).toBe('switchboard-client');
    await t.engine.outbound.worker.idle();
    expect((await t.engine.store.outbox.list()).map((d) => d.status)).toEqual(['succeeded', 'succeeded']);
  });

  it('still verifies the receiver inside the tunnel: its certificate must chain to the trusted CA', async () => {
    const proxy = await started(new TinyProxy().start());
    const secure = await started(new MtlsReceiver().start());
    const sender = new HttpSender(createAddressGuard({ allow: ['127.0.0.1'] }), { proxy: proxy.url() });
    cleanups.push(() => sender.close());
    const client = { cert: readFileSync(pem('client.pem')), key: readFileSync(pem('client-key.pem')) };
    const options = { timeoutMs: 5_000, responseLimit: 100 };
    const untrusted = await sender.post(secure.url(), '{}', {}, { ...options, tls: client });
    expect(untrusted.status).toBeUndefined();
    expect(untrusted.error).toMatch(/^via proxy: .*certificate/i);
    const trusted = await sender.post(
      secure.url(),
      '{}',
      {},
      { ...options, tls: { ...client, ca: readFileSync(pem('ca.pem')) } },
    );
    expect(trusted).toMatchObject({ status: 200, response: 'ok' });
    expect(secure.requests).toHaveLength(1);
  });

  describe('with the address guard', () => {
    const resolveTo =
      (...addresses: string[]) =>
      async (): Promise<LookupAddress[]> =>
        addresses.map((address) => ({ address, family: net.isIP(address) }));
    const notHere = async (hostname: string): Promise<LookupAddress[]> => {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    };
    const send = async (sender: HttpSender, url: string) => {
      cleanups.push(() => sender.close());
      return sender.post(url, '{}', {}, { timeoutMs: 5_000, responseLimit: 100 });
    };

    it('refuses a target that resolves here to a private address before the proxy hears of it', async () => {
      const proxy = await started(new TinyProxy().start());
      const sender = new HttpSender(createAddressGuard({}, resolveTo('10.0.0.5')), { proxy: proxy.url() });
      const result = await send(sender, 'https://hooks.internal.example/in');
      expect(result.status).toBeUndefined();
      expect(result.error).toMatch(/^blocked: hooks\.internal\.example resolves to 10\.0\.0\.5, a private address/);
      const literal = await send(sender, 'http://127.0.0.1:9/in');
      expect(literal.error).toMatch(/^blocked: 127\.0\.0\.1 is a loopback address/);
      expect(proxy.seen).toEqual([]);
    });

    it('leaves a name this host cannot resolve to the proxy, and reports the proxy refusing the tunnel', async () => {
      const proxy = await started(new TinyProxy().start());
      const sender = new HttpSender(createAddressGuard({}, notHere), { proxy: proxy.url() });
      const tunnel = await send(sender, 'https://hooks.only-the-proxy-knows/in');
      expect(tunnel.status).toBeUndefined();
      expect(tunnel.error).toBe('the proxy refused the tunnel: 502 Bad Gateway');
      const plain = await send(sender, 'http://hooks.only-the-proxy-knows/in');
      expect(plain).toMatchObject({ status: 502, response: 'unknown host' });
      expect(proxy.seen).toEqual(['CONNECT hooks.only-the-proxy-knows:443', 'POST http://hooks.only-the-proxy-knows/in']);
    });
  });
});
