// Debounce under load: of 200 concurrent posts to one instance, exactly one fires.
// (fetch's default agent opens a connection per request in flight, so they really are concurrent.)
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, basicConfig, type TestEngine } from './support/test-engine.js';

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({ files: basicConfig('    debounce: 1h') });
});
afterAll(async () => t.cleanup());

describe('debounce under concurrency', () => {
  it('fires exactly once for 200 concurrent posts and debounces the other 199', async () => {
    const url = t.url('/webhook/trig-room/notify?secret=room-secret-0123456789');
    const answers = await Promise.all(
      Array.from({ length: 200 }, () =>
        fetch(url, { method: 'POST' }).then(async (r) => ({ status: r.status, body: (await r.json()) as { fired: boolean } })),
      ),
    );
    expect(answers.every((a) => a.status === 202)).toBe(true);
    expect(answers.filter((a) => a.body.fired).length).toBe(1);
    expect(answers.filter((a) => !a.body.fired).length).toBe(199);
    expect((await t.engine.store.runs.stats('trig-room'))?.trigger_count).toBe(1);
    const logged = await t.engine.store.requests.list({ instanceId: 'trig-room', limit: 500 });
    expect(logged.length).toBe(200);
    expect(logged.filter((r) => r.outcome === 'debounced').length).toBe(199);
  });
});
