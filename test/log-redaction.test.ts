// Secrets never reach the structured log, the request log or a response: the trigger
// secret in query or path, credential headers, and secret fields in JSON bodies.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../src/cli/main.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';
import { probeDriver } from './support/test-drivers.js';

const SECRET = 'never-log-me-0123456789';
const TOKEN = 'Bearer tok-do-not-store-42';
const BODY_SECRET = 'meraki-shared-secret-xyz';

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({
    files: {
      'site.yaml': `
systems:
  - id: sys-l
    modules: [{ driver: display }, { driver: probe }]
triggers:
  - id: t-l
    methods: [POST]
    actions:
      - call: Display_1.power
        args: { state: true }
instances:
  - { id: trig-l, trigger: t-l, system: sys-l, secret: ${SECRET}, exec: true }
`,
    },
    extraDrivers: [probeDriver],
  });
  const headers = { authorization: TOKEN, 'x-api-key': TOKEN, cookie: `session=${TOKEN}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ secret: BODY_SECRET, nested: { api_key: BODY_SECRET, ok: 'visible' } });
  const calls = [
    fetch(t.url(`/webhook/trig-l/notify?secret=${SECRET}&room=1`), { method: 'POST', headers, body }),
    fetch(t.url(`/webhook/trig-l/notify/${SECRET}`), { method: 'POST', headers, body }),
    fetch(t.url(`/api/engine/v2/webhook/trig-l/notify/${SECRET}/Probe/1/explode`), { method: 'POST', headers, body }),
    fetch(t.url(`/webhook/trig-l/notify?secret=${SECRET}`), { method: 'GET', headers }),
    fetch(t.url(`/webhook/trig-l/notify?secret=${SECRET}x`), { method: 'POST', headers, body }),
    fetch(t.url(`/webhook/trig-l/notify/${SECRET}x`), { method: 'POST', headers, body }),
    fetch(t.url(`/webhook/trig-l/notify?secret=${SECRET}`), {
      method: 'POST',
      headers,
      body: '{"secret": "' + BODY_SECRET + '", broken',
    }),
  ];
  for (const response of await Promise.all(calls)) expect(await response.text()).not.toContain(SECRET);
  await t.engine.executor.settled();
});
afterAll(async () => t.cleanup());

describe('secret redaction', () => {
  it('keeps the trigger secret, credentials and body secrets out of the structured log', () => {
    const logs = t.logs.text();
    expect(t.logs.lines.length).toBeGreaterThan(3);
    expect(logs).not.toContain(SECRET);
    expect(logs).not.toContain('tok-do-not-store-42');
    expect(logs).not.toContain(BODY_SECRET);
  });

  it('keeps them out of every request-log row, which still shows the rest of the request', async () => {
    const rows = await t.engine.store.requests.list({ instanceId: 'trig-l', limit: 100 });
    expect(rows.length).toBe(7);
    const stored = JSON.stringify(rows.map((r) => ({ ...r, body: r.body?.toString('utf8') })));
    expect(stored).not.toContain(SECRET);
    expect(stored).not.toContain('tok-do-not-store-42');
    expect(stored).not.toContain(BODY_SECRET);
    const fired = rows.find((r) => r.path.includes('room=1'))!;
    expect(fired.path).toBe('/webhook/trig-l/notify?room=1');
    expect(JSON.parse(fired.headers)).toMatchObject({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      cookie: '[redacted]',
      'content-type': 'application/json',
    });
    expect(JSON.parse(fired.body!.toString('utf8'))).toEqual({
      secret: '[redacted]',
      nested: { api_key: '[redacted]', ok: 'visible' },
    });
    expect(rows.map((r) => r.path)).toContain('/api/engine/v2/webhook/trig-l/notify/[redacted]/Probe/1/explode');
  });

  it('keeps them out of what `switchboard log --json` shows, bodies redacted field by field', async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void printed.push(parts.join(' ')));
    try {
      expect(await run(['log', '--json', '--instance', 'trig-l', '--config', t.configDir, '--data', t.dataDir])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const shown = printed.join('\n');
    expect(shown).not.toContain(SECRET);
    expect(shown).not.toContain('tok-do-not-store-42');
    expect(shown).not.toContain(BODY_SECRET);
    const rows = printed.map((line) => JSON.parse(line) as { path: string; outcome: string; body: string | null });
    const fired = rows.find((r) => r.path.includes('room=1'))!;
    expect(JSON.parse(fired.body!)).toEqual({ secret: '[redacted]', nested: { api_key: '[redacted]', ok: 'visible' } });
    // A body declared JSON that is not: its fields cannot be told apart, so none of it is shown.
    expect(rows.find((r) => r.outcome === 'body_malformed')!.body).toBe('[redacted]');
  });

  it('keeps them out of the run input that templates read', async () => {
    const runs = await t.engine.store.database.db.selectFrom('runs').select('input').execute();
    expect(runs.length).toBe(2);
    const inputs = runs.map((r) => r.input).join('\n');
    expect(inputs).not.toContain(SECRET);
    expect(inputs).not.toContain('tok-do-not-store-42');
  });
});
