// Requests that are broken or crafted rather than big or slow: bad percent-encoding,
// prototype-polluting bodies, binary garbage labelled JSON, garbage request lines,
// smuggling-shaped framing, bodies cut short, forged forwarding headers. Each gets a
// 4xx (from Node or the engine), nothing is polluted, and the engine keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, readUntilClosed, statusOf, targetOf, type RawTarget } from '../support/raw-http.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';
import { exchange } from './support/exchange.js';
import { loggedRequest, recordCounts, runOf } from './support/records.js';

const SECRET = 'malformed-secret-0123456789';

const files = {
  'site.yaml': `
systems:
  - id: sys-mal
    modules: [{ driver: display }]
triggers:
  - id: t-mal
    actions:
      - emit: probe.seen
        data: { polluted: "{{ body.__proto__.polluted }}", ctor: "{{ body.constructor.prototype }}" }
  - id: t-allow
    allow_from: [10.0.0.0/8]
instances:
  - { id: mal, trigger: t-mal, system: sys-mal, secret: ${SECRET}, exec: true }
  - { id: allow, trigger: t-allow, system: sys-mal, secret: ${SECRET} }
`,
};

let t: TestEngine;
let target: RawTarget;
beforeAll(async () => {
  t = await startTestEngine({ files });
  target = targetOf(t.engine.url);
});
afterAll(async () => t.cleanup());

/** A raw request: request line, headers, then the body, on a connection that closes after. */
function raw(line: string, headers: string[] = [], body = ''): string {
  return [`${line} HTTP/1.1`, 'Host: switchboard', 'Connection: close', ...headers, '', body].join('\r\n');
}

function postJson(label: string, body: string | Buffer, contentType = 'application/json'): Promise<Response> {
  return fetch(t.url(`/webhook/mal/notify?secret=${SECRET}&case=${label}`), {
    method: 'POST',
    body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { 'content-type': contentType },
  });
}

function expectUnpolluted(): void {
  const plain: Record<string, unknown> = {};
  expect(plain.polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
}

describe('invalid percent-encoding', () => {
  it.each([
    ['the instance', `/webhook/%E0%A4%A/notify?secret=${SECRET}`, 404, 'not_found'],
    ['the path secret', '/webhook/mal/notify/%E0%A4%A', 404, 'not_found'],
    ['an exec module', `/webhook/mal/notify/${SECRET}/%ZZ/1/echo`, 400, 'bad_parameter'],
    ['a NUL in the instance', `/webhook/mal%00/notify?secret=${SECRET}`, 404, 'not_found'],
  ])('answers %s with a JSON %i', async (_, path, status, error) => {
    const answer = await exchange(target, raw(`POST ${path}`, ['Content-Length: 0']));
    expect(answer.status).toBe(status);
    expect(answer.text).toContain(`"error":"${error}"`);
  });

  it('fires with a query value that is not valid percent-encoding', async () => {
    const answer = await exchange(target, raw(`POST /webhook/mal/notify?secret=${SECRET}&x=%E0%A4%A`, ['Content-Length: 0']));
    expect(answer.status).toBe(202);
  });
});

describe('prototype-polluting bodies', () => {
  it.each([
    ['proto', '{"__proto__":{"polluted":1}}'],
    ['ctor', '{"constructor":{"prototype":{"polluted":1}}}'],
  ])('fires for %s, keeps it as plain data in the run and the log, and pollutes nothing', async (label, body) => {
    const response = await postJson(label, body);
    expect(response.status).toBe(202);
    const { run } = (await response.json()) as { run: string };
    await t.engine.settled();
    const recorded = await runOf(t, run);
    expect(recorded.status).toBe('succeeded');
    expect(JSON.stringify(recorded.input.body)).toBe(body);
    expect((await loggedRequest(t, label)).body).toBe(body);
    expectUnpolluted();
  });

  it('fires for a form body with bracketed __proto__ keys and pollutes nothing', async () => {
    const response = await postJson(
      'form',
      '__proto__[polluted]=1&constructor[prototype][polluted]=1',
      'application/x-www-form-urlencoded',
    );
    expect(response.status).toBe(202);
    await t.engine.settled();
    expectUnpolluted();
  });
});

describe('bodies that are not what they say', () => {
  it('answers 400 body_malformed for binary garbage labelled JSON', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) % 256));
    const response = await postJson('garbage', garbage);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('body_malformed');
    expect((await loggedRequest(t, 'garbage')).outcome).toBe('body_malformed');
  });

  it('fires for JSON holding a lone surrogate escape', async () => {
    expect((await postJson('surrogate', '{"a":"\\ud800"}')).status).toBe(202);
  });

  it('answers 400 and closes when the client stops short of its Content-Length', async () => {
    const socket = await open(target);
    try {
      const answer = readUntilClosed(socket, 5_000);
      socket.end(
        `POST /webhook/mal/notify?secret=${SECRET}&case=short HTTP/1.1\r\nHost: switchboard\r\nContent-Length: 100\r\n\r\n{"cut":`,
      );
      const { text, closed } = await answer;
      expect(closed).toBe(true);
      expect(statusOf(text)).toBe(400);
    } finally {
      socket.destroy();
    }
  });
});

describe('broken HTTP framing', () => {
  it.each([
    ['a garbage request line', '\u0000\u0001GARBAGE LINE\r\n\r\n'],
    [
      'two different Content-Lengths',
      raw(`POST /webhook/mal/notify?secret=${SECRET}`, ['Content-Length: 2', 'Content-Length: 3'], '{}'),
    ],
    [
      'Content-Length with Transfer-Encoding',
      raw(
        `POST /webhook/mal/notify?secret=${SECRET}`,
        ['Content-Length: 2', 'Transfer-Encoding: chunked'],
        '2\r\n{}\r\n0\r\n\r\n',
      ),
    ],
    ['a space in a header name', raw(`POST /webhook/mal/notify?secret=${SECRET}`, ['Bad Header: x', 'Content-Length: 0'])],
  ])('answers 400 for %s, closes the connection, and fires nothing', async (_, request) => {
    const before = await recordCounts(t);
    const answer = await exchange(target, request);
    expect(answer.status).toBe(400);
    expect(answer.closed).toBe(true);
    expect(await recordCounts(t)).toEqual(before);
  });
});

describe('forged forwarding headers', () => {
  it('answers 404 to a caller outside allow_from whatever X-Forwarded-For claims, and logs the real address', async () => {
    const response = await fetch(t.url(`/webhook/allow/notify?secret=${SECRET}&case=forged`), {
      method: 'POST',
      headers: { 'x-forwarded-for': '10.1.2.3', forwarded: 'for=10.1.2.3', 'x-real-ip': '10.1.2.3' },
    });
    expect(response.status).toBe(404);
    expect(await loggedRequest(t, 'forged')).toMatchObject({
      client_ip: '127.0.0.1',
      reason: expect.stringContaining('allow_from'),
    });
  });
});

describe('after all of that', () => {
  it('still answers /healthz and fires', async () => {
    expect((await fetch(t.url('/healthz'))).status).toBe(200);
    expect((await postJson('after', '{}')).status).toBe(202);
  });
});
