// What a fire stores, through a real server: the request once in the log, body whole, and
// in its run only what the trigger's actions read of it, the body by reference to the log
// row; `log_body: none` keeps no body in the log (then a run keeps what it reads).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'lean-records-secret-0123456789';
const BODY = JSON.stringify({ level: 37, room: '101', pad: 'x'.repeat(500) });

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({
    files: {
      'site.yaml': `
systems:
  - id: sys-r
    modules: [{ driver: display }]
triggers:
  - id: t-constant
    actions: [{ call: Display_1.power, args: { state: true } }]
  - id: t-reads-body
    actions: [{ call: Display_1.volume, args: { level: "{{ body.level }}" } }]
  - id: t-no-body
    log_body: none
    actions: [{ call: Display_1.power, args: { state: true } }]
  - id: t-no-body-reads-it
    log_body: none
    actions: [{ call: Display_1.volume, args: { level: "{{ body.level }}" } }]
instances:
  - { id: trig-constant, trigger: t-constant, system: sys-r, secret: ${SECRET} }
  - { id: trig-reads-body, trigger: t-reads-body, system: sys-r, secret: ${SECRET} }
  - { id: trig-no-body, trigger: t-no-body, system: sys-r, secret: ${SECRET} }
  - { id: trig-no-body-reads-it, trigger: t-no-body-reads-it, system: sys-r, secret: ${SECRET} }
`,
    },
  });
  for (const id of ['trig-constant', 'trig-reads-body', 'trig-no-body', 'trig-no-body-reads-it']) {
    const response = await fetch(t.url(`/webhook/${id}/notify?secret=${SECRET}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-sender': 'lean' },
      body: BODY,
    });
    expect(response.status).toBe(202);
  }
  await t.engine.settled();
});
afterAll(async () => t.cleanup());

async function stored(instanceId: string) {
  const [request] = await t.engine.store.requests.list({ instanceId, limit: 1 });
  const [run] = await t.engine.store.runs.list({ instanceId, limit: 1 });
  return { request: request!, run: run!, input: JSON.parse(run!.input) as Record<string, unknown> };
}

describe('a fire stores the request once', () => {
  it('keeps the body and headers in the log, and nothing of the request in a run whose actions read none of it', async () => {
    const { request, run } = await stored('trig-constant');
    expect(request.body!.toString('utf8')).toBe(BODY);
    expect(JSON.parse(request.headers)).toMatchObject({ 'x-sender': 'lean' });
    expect(run).toMatchObject({ request_id: request.id, status: 'succeeded' });
    expect(run.input).toBe('{}');
  });

  it('refers a run that reads the body to its request-log row instead of copying the body, and the actions get it', async () => {
    const { request, run, input } = await stored('trig-reads-body');
    expect(input).toEqual({ body_from_request: true });
    expect(request.body!.toString('utf8')).toBe(BODY);
    expect(run.status).toBe('succeeded');
    expect(t.engine.modules.find('sys-r', 'Display_1')!.currentState).toMatchObject({ volume: 37 });
  });

  it('resumes such a run with the body read back from its request-log row', async () => {
    const { request } = await stored('trig-reads-body');
    const display = t.engine.modules.find('sys-r', 'Display_1')!;
    await display.call('volume', { level: 0 });
    // A run left pending by a process that died, referring to the request's body.
    await t.engine.store.commit([
      {
        kind: 'run',
        row: {
          id: 'run_resumed_from_request',
          instance_id: 'trig-reads-body',
          trigger_id: 't-reads-body',
          system_id: 'sys-r',
          request_id: request.id,
          created_at: Date.now(),
          status: 'pending',
          input: JSON.stringify({ body_from_request: true }),
          finished_at: null,
          error: null,
          trace: null,
        },
      },
    ]);
    expect(await t.engine.executor.resumeUnfinished(t.engine.live.current.triggers)).toBe(1);
    await t.engine.settled();
    expect(await t.engine.store.runs.get('run_resumed_from_request')).toMatchObject({ status: 'succeeded' });
    expect(display.currentState).toMatchObject({ volume: 37 });
  });

  it('keeps no body for a trigger with log_body: none, but its size', async () => {
    const { request } = await stored('trig-no-body');
    expect(request).toMatchObject({ body: null, body_size: Buffer.byteLength(BODY), body_truncated: 0 });
  });

  it('with log_body: none, keeps in the run what its actions read of the body, since the log has none', async () => {
    const { request, run, input } = await stored('trig-no-body-reads-it');
    expect(request.body).toBeNull();
    expect(input).toEqual({ body: JSON.parse(BODY) });
    expect(run.status).toBe('succeeded');
  });
});
