// Behind a reverse proxy and on its own TLS: the client address comes from X-Forwarded-For
// only when the proxy is trusted; allow_from refuses other callers like a wrong secret;
// the per-address cap counts the real client behind a proxy; HTTPS serves the same routes.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareConfig } from '../src/prepare-config.js';
import { ConfigInvalid } from '../src/config/problems.js';
import { makeCertificate } from './support/certificates.js';
import { open, readUntilClosed, statusOf, targetOf } from './support/raw-http.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'proxy-secret-0123456789';

function site(server: string): Record<string, string> {
  return {
    'site.yaml': `
server:
${server}
systems:
  - id: sys-p
    modules: [{ driver: display }]
triggers:
  - id: t-open
  - id: t-meraki
    allow_from: [203.0.113.0/24, "2001:db8::/32"]
instances:
  - { id: trig-open, trigger: t-open, system: sys-p, secret: ${SECRET} }
  - { id: trig-meraki, trigger: t-meraki, system: sys-p, secret: ${SECRET} }
`,
  };
}

async function lastLogged(t: TestEngine): Promise<{ client_ip: string | null; status: number; reason: string | null }> {
  return t.engine.store.database.db
    .selectFrom('request_log')
    .select(['client_ip', 'status', 'reason'])
    .orderBy('received_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
}

const fire = (t: TestEngine, instance: string, forwardedFor?: string) =>
  fetch(t.url(`/webhook/${instance}/notify?secret=${SECRET}`), {
    method: 'POST',
    headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });

describe('behind a trusted proxy', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({
      files: site('  trust_proxy: [loopback]\n  max_connections_per_address: 2\n  request_timeout: 5s'),
    });
  });
  afterAll(async () => t.cleanup());

  it('logs the client X-Forwarded-For names and admits it by allow_from', async () => {
    expect((await fire(t, 'trig-meraki', '203.0.113.9')).status).toBe(202);
    expect(await lastLogged(t)).toMatchObject({ client_ip: '203.0.113.9', status: 202 });
  });

  it('answers a caller outside allow_from with the 404 of a wrong secret, the reason in the log', async () => {
    const response = await fire(t, 'trig-meraki', '198.51.100.7');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: 'not_found', message: 'No trigger at this URL, or the secret is wrong.' });
    expect(await lastLogged(t)).toMatchObject({ client_ip: '198.51.100.7', reason: 'address 198.51.100.7 not in allow_from' });
  });

  it('believes only the hops it trusts: a client cannot prepend its own address', async () => {
    // The proxy appends the address it saw (198.51.100.7) after what the client claimed.
    expect((await fire(t, 'trig-meraki', '203.0.113.9, 198.51.100.7')).status).toBe(404);
  });

  it('caps requests in flight per real client behind the proxy, not per proxy connection', async () => {
    const target = targetOf(t.engine.url);
    const slow = async (client: string) => {
      const socket = await open(target);
      socket.write(
        `POST /webhook/trig-open/notify?secret=${SECRET} HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${client}\r\nContent-Length: 10\r\n\r\n`,
      );
      return socket;
    };
    const held = [await slow('203.0.113.50'), await slow('203.0.113.50')];
    // Both are in flight (their bodies never come); a third from the same client is over the cap.
    const third = await open(target);
    const answer = readUntilClosed(third);
    third.write(
      `POST /webhook/trig-open/notify?secret=${SECRET} HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: 203.0.113.50\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
    );
    const text = (await answer).text;
    expect(statusOf(text)).toBe(503);
    expect(text).toContain('too_many_connections');
    // Another client behind the same proxy is served.
    expect((await fire(t, 'trig-open', '203.0.113.51')).status).toBe(202);
    for (const socket of held) socket.destroy();
  });
});

describe('without trust_proxy', () => {
  let t: TestEngine;
  beforeAll(async () => {
    t = await startTestEngine({ files: site('  host: 127.0.0.1') });
  });
  afterAll(async () => t.cleanup());

  it('ignores X-Forwarded-For: the socket peer is the client', async () => {
    expect((await fire(t, 'trig-meraki', '203.0.113.9')).status).toBe(404);
    expect(await lastLogged(t)).toMatchObject({ client_ip: '127.0.0.1', reason: 'address 127.0.0.1 not in allow_from' });
    expect((await fire(t, 'trig-open', '203.0.113.9')).status).toBe(202);
  });
});

describe('with server.tls', () => {
  let dir: string;
  let t: TestEngine;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-tls-'));
    makeCertificate(dir, 'server', { cn: 'localhost', extensions: ['subjectAltName=IP:127.0.0.1'] });
    t = await startTestEngine({
      files: site(`  tls: { cert: ${join(dir, 'server.pem')}, key: ${join(dir, 'server-key.pem')} }`),
    });
  });
  afterAll(async () => {
    await t.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves trigger URLs over HTTPS with the configured certificate', async () => {
    expect(t.engine.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(join(dir, 'server.pem'));
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(t.url(`/webhook/trig-open/notify?secret=${SECRET}`), { method: 'POST', ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(202);
  });

  it('names a certificate or key file that cannot be read, at its place in the config', async () => {
    const configDir = mkdtempSync(join(tmpdir(), 'switchboard-tls-config-'));
    writeFileSync(join(configDir, 'site.yaml'), 'server:\n  tls: { cert: missing-cert.pem, key: missing-key.pem }\n');
    try {
      const error = await prepareConfig(configDir, { env: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigInvalid);
      const problems = (error as ConfigInvalid).problems;
      expect(problems.map((p) => [p.path, p.line])).toEqual([
        ['server.tls.cert', 2],
        ['server.tls.key', 2],
      ]);
      expect(problems[0]!.message).toMatch(/missing-cert\.pem does not exist; give a PEM file, relative to the config directory/);
    } finally {
      rmSync(configDir, { recursive: true, force: true });
    }
  });
});
