// Numbers no JavaScript number can hold (1e999999, ten thousand digits, -1e-99999) go
// through JSON.parse, the run's stored input, templates, a module's argument check and an
// emitted event: each request fires, each run ends recorded, and the engine keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Receiver } from '../support/receiver.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';
import { runOf } from './support/records.js';

const SECRET = 'huge-numbers-secret-0123456789';
const NUMBERS = [
  ['1e999999', '1e999999'],
  ['10000-digits', '9'.repeat(10_000)],
  ['negative-tiny', '-1e-99999'],
  ['minus-10000-digits', '-' + '7'.repeat(10_000) + '.5e-3'],
] as const;

let t: TestEngine;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  t = await startTestEngine({
    files: {
      'site.yaml': `
outbound:
  allow: [127.0.0.1]
systems:
  - id: sys-num
    modules: [{ driver: display }]
triggers:
  - id: t-emit
    actions:
      - emit: number.seen
        data: { x: "{{ body.x }}", text: "x is {{ body.x }}" }
  - id: t-volume
    actions:
      - call: Display_1.volume
        args: { level: "{{ body.x }}" }
instances:
  - { id: emitter, trigger: t-emit, system: sys-num, secret: ${SECRET} }
  - { id: volume, trigger: t-volume, system: sys-num, secret: ${SECRET} }
subscriptions:
  - id: sub-numbers
    url: ${receiver.url()}
    events: [number.seen]
`,
    },
  });
});

afterAll(async () => {
  await t.cleanup();
  await receiver.close();
});

async function fire(instance: string, label: string, number: string): Promise<string> {
  const response = await fetch(t.url(`/webhook/${instance}/notify?secret=${SECRET}&case=${label}`), {
    method: 'POST',
    body: `{"x":${number}}`,
    headers: { 'content-type': 'application/json' },
  });
  expect(response.status, `${instance} ${label}`).toBe(202);
  const answer = (await response.json()) as { fired: boolean; run: string };
  expect(answer.fired).toBe(true);
  return answer.run;
}

describe('numbers too large or too small for JavaScript', () => {
  it.each(NUMBERS)('fires an emit templating %s and the run succeeds', async (label, number) => {
    const run = await fire('emitter', label, number);
    await t.engine.settled();
    const recorded = await runOf(t, run);
    expect(recorded.status).toBe('succeeded');
    expect(recorded.input.body).toEqual({ x: expect.toSatisfy((x) => x === null || typeof x === 'number') });
  });

  it.each(NUMBERS)(
    'fires a module call templating %s, and the run ends recorded with a clear error if any',
    async (label, number) => {
      const run = await fire('volume', label, number);
      await t.engine.settled();
      const recorded = await runOf(t, run);
      expect(['succeeded', 'failed']).toContain(recorded.status);
      if (recorded.status === 'failed') expect(recorded.error).toMatch(/Display_1\.volume.*level/);
    },
  );

  it('delivers each emitted event as valid JSON', async () => {
    const received = await receiver.waitFor(NUMBERS.length);
    for (const request of received) {
      const event = JSON.parse(request.body) as { type: string; data: { text: string } };
      expect(event.type).toBe('number.seen');
      expect(event.data.text).toMatch(/^x is /);
    }
  });

  it('still answers /healthz and fires after all of that', async () => {
    expect((await fetch(t.url('/healthz'))).status).toBe(200);
    await fire('emitter', 'after', '1');
  });
});
