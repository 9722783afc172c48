// Tests the http driver against a real node:http server on 127.0.0.1.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDriver, type SettingsOf } from '../../src/drivers/testing.js';
import { driver } from './driver.js';

/** Routes: /echo answers what it got as JSON, /fail answers 500, /hang never answers, /big answers 100 KiB. */
function handle(request: IncomingMessage, response: ServerResponse): void {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const path = request.url ?? '';
    if (path.startsWith('/api/hang')) return;
    if (path.startsWith('/api/fail')) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
      return;
    }
    if (path.startsWith('/api/moved')) {
      response.writeHead(302, { location: 'http://example.com/' }).end();
      return;
    }
    if (path.startsWith('/api/big')) {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(100 * 1024));
      return;
    }
    const body = Buffer.concat(chunks).toString('utf8');
    response.writeHead(201, { 'content-type': 'application/json; charset=utf-8' });
    response.end(
      JSON.stringify({ method: request.method, path, headers: request.headers, body: body === '' ? null : JSON.parse(body) }),
    );
  });
}

let server: Server;
let baseUrl: string;

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});

afterAll(async () => {
  // The /hang requests stay open on purpose; drop them so close() returns.
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const module = (settings: Partial<SettingsOf<typeof driver>> = {}) =>
  startDriver(driver, { settings: { base_url: baseUrl, ...settings } });

describe('http driver', () => {
  it('sends JSON with settings headers merged with call headers, and returns the parsed answer', async () => {
    const m = await module({ headers: { authorization: 'Bearer s3cr3t', 'x-team': 'ops' } });
    const result = (await m.call('request', {
      path: '/echo',
      headers: { 'X-Team': 'facilities', 'x-request-id': 'abc-123' },
      body: { room: 'Level 2 Boardroom', occupied: true },
    })) as { status: number; body: { method: string; path: string; headers: Record<string, string>; body: unknown } };

    expect(result.status).toBe(201);
    expect(result.body.method).toBe('POST');
    expect(result.body.path).toBe('/api/echo');
    expect(result.body.body).toEqual({ room: 'Level 2 Boardroom', occupied: true });
    expect(result.body.headers).toMatchObject({
      authorization: 'Bearer s3cr3t',
      'x-team': 'facilities',
      'x-request-id': 'abc-123',
      'content-type': 'application/json',
    });
    expect(m.state).toMatchObject({ last_status: 201, last_error: null, requests: 1 });
    expect(m.state.last_called_at).toBe(m.clock.now());
    expect(m.stateChanges.map((c) => c.key)).toContain('last_status');
  });

  it('sends GET without a body and a path without a leading slash', async () => {
    const m = await module();
    const result = (await m.call('request', { method: 'GET', path: 'echo?floor=2' })) as {
      body: { method: string; path: string };
    };
    expect(result.body).toMatchObject({ method: 'GET', path: '/api/echo?floor=2' });
  });

  it('throws on a non-2xx answer and records the status, without header values in the message', async () => {
    const m = await module({ headers: { authorization: 'Bearer s3cr3t' } });
    const call = m.call('request', { path: '/fail', body: 'plain text' });
    await expect(call).rejects.toThrow(`POST ${baseUrl}/fail answered 500`);
    await call.catch((error: Error) => expect(error.message).not.toContain('s3cr3t'));
    expect(m.state).toMatchObject({ last_status: 500, last_error: `POST ${baseUrl}/fail answered 500`, requests: 1 });
  });

  it('does not follow redirects', async () => {
    const m = await module();
    await expect(m.call('request', { method: 'GET', path: '/moved' })).rejects.toThrow(
      'answered 302 (redirects are not followed)',
    );
  });

  it('throws a timeout message when the server never answers', async () => {
    const m = await module();
    await expect(m.call('request', { path: '/hang', timeout_ms: 100 })).rejects.toThrow(
      `POST ${baseUrl}/hang did not answer within 100 ms`,
    );
    expect(m.state).toMatchObject({ last_status: null, last_error: `POST ${baseUrl}/hang did not answer within 100 ms` });
  });

  it('names a refused connection', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const m = await module({ base_url: `http://127.0.0.1:${port}` });
    await expect(m.call('request', { method: 'GET' })).rejects.toThrow(`GET http://127.0.0.1:${port}/ failed: ECONNREFUSED`);
  });

  it('caps the answer body', async () => {
    const m = await module();
    const result = (await m.call('request', { method: 'GET', path: '/big' })) as { body: string; truncated?: boolean };
    expect(result.body.length).toBe(64 * 1024);
    expect(result.truncated).toBe(true);
  });

  it('refuses a path that points at another host', async () => {
    const m = await module();
    await expect(m.call('request', { path: 'http://evil.example/steal' })).rejects.toThrow('path must be relative to base_url');
    await expect(m.call('request', { path: '//evil.example/steal' })).rejects.toThrow('path must be relative to base_url');
    expect(m.state.requests).toBe(0);
  });

  it('names a bad header without quoting its value', async () => {
    const m = await module({ headers: { authorization: 'Bearer s3cr3t\r\nx-injected: 1' } });
    const call = m.call('request', { path: '/echo' });
    await expect(call).rejects.toThrow('header "authorization" has an invalid name or value');
    await call.catch((error: Error) => expect(error.message).not.toContain('s3cr3t'));
  });

  it('refuses bad settings', () => {
    expect(driver.settings.safeParse({ base_url: 'not a url' }).success).toBe(false);
    expect(driver.settings.safeParse({ base_url: 'ftp://files.example.com' }).success).toBe(false);
    expect(driver.settings.safeParse({ base_url: 'https://user:pw@api.example.com' }).success).toBe(false);
    expect(driver.settings.safeParse({ base_url: 'https://api.example.com', retries: 3 }).success).toBe(false);
    expect(driver.settings.parse({ base_url: 'https://api.example.com' })).toEqual({
      base_url: 'https://api.example.com',
      headers: {},
      timeout_ms: 10_000,
    });
  });
});
