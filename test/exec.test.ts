// exec: requests dispatched into a module's webhook-capable method, through a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './support/test-engine.js';
import { probeDriver } from './support/test-drivers.js';

const SECRET = 'exec-secret-0123456789ab';
const files = {
  'site.yaml': `
systems:
  - id: sys-x
    modules:
      - driver: probe
      - driver: probe
triggers:
  - id: t-exec
    methods: [GET, POST]
instances:
  - { id: trig-x, trigger: t-exec, system: sys-x, secret: ${SECRET}, exec: true }
`,
};

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({ files, extraDrivers: [probeDriver] });
});
afterAll(async () => t.cleanup());

describe('exec', () => {
  it('hands the method the query without the secret, the parsed body and the raw body intact', async () => {
    const raw = '{ "temp" : 21.5 }';
    const response = await fetch(
      t.url(`/webhook/trig-x/notify?secret=${SECRET}&exec=true&mod=Probe&index=2&method=echo&room=101`),
      {
        method: 'POST',
        body: raw,
        headers: { 'content-type': 'application/json' },
      },
    );
    expect(response.status).toBe(201);
    const echoed = (await response.json()) as { method: string; query: Record<string, string>; body: unknown; raw: string };
    expect(echoed.method).toBe('POST');
    expect(echoed.query).toEqual({ exec: 'true', mod: 'Probe', index: '2', method: 'echo', room: '101' });
    expect(echoed.body).toEqual({ temp: 21.5 });
    expect(Buffer.from(echoed.raw, 'base64').toString('utf8')).toBe(raw);
  });

  it('passes binary bodies through byte for byte, both ways', async () => {
    const bytes = Buffer.from([0, 255, 1, 254, 0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10]);
    const response = await fetch(t.url(`/webhook/trig-x/notify/${SECRET}/Probe/1/binary`), {
      method: 'POST',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from(bytes).reverse());
  });

  it('leaves the engine 202 when the method answers nothing', async () => {
    const response = await fetch(t.url(`/webhook/trig-x/notify/${SECRET}/Probe/1/silent`), { method: 'POST' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: true, module: 'Probe_1', method: 'silent' });
  });

  it('answers 500 with a JSON error and no internals when the method throws', async () => {
    const response = await fetch(t.url(`/webhook/trig-x/notify/${SECRET}/Probe/1/explode`), { method: 'POST' });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: 'module_error', message: 'Probe_1.explode failed while handling the request.' });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(' at ');
  });

  it('answers 504 when the method does not answer within its timeout', async () => {
    const started = Date.now();
    const response = await fetch(t.url(`/webhook/trig-x/notify/${SECRET}/Probe/1/hang`), { method: 'POST' });
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: string }).error).toBe('module_timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('records every exec request in the request log with its outcome', async () => {
    const rows = await t.engine.store.requests.list({ instanceId: 'trig-x', limit: 100 });
    const outcomes = rows.map((r) => `${r.status} ${r.outcome}`);
    expect(outcomes).toEqual(
      expect.arrayContaining(['201 exec', '200 exec', '202 exec', '500 module_error', '504 module_timeout']),
    );
  });
});
