// Fired triggers run their actions after the 202: in order, recorded, templated from
// the request, stopped by a failure unless continue_on_error, resumed after a restart.
import { afterEach, describe, expect, it } from 'vitest';
import { databaseFile, openStore } from '../src/store/store.js';
import { probeDriver } from './support/test-drivers.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'runs-secret-0123456789ab';
const files = {
  'site.yaml': `
systems:
  - id: sys-r
    modules:
      - driver: display
      - driver: probe
triggers:
  - id: t-templated
    actions:
      - call: Display_1.switch_to
        args: { input: "{{ body.input }}" }
      - call: Probe_1.record
        args:
          value:
            room: "{{ query.room }}"
            who: "booked by {{ body.organiser.name }}"
            agent: "{{ headers.user-agent }}"
            count: "{{ body.count }}"
  - id: t-stop
    actions:
      - call: Probe_1.fail
      - call: Display_1.power
        args: { state: true }
  - id: t-continue
    actions:
      - call: Probe_1.fail
        continue_on_error: true
      - call: Display_1.power
        args: { state: true }
instances:
  - { id: trig-tpl, trigger: t-templated, system: sys-r, secret: ${SECRET} }
  - { id: trig-stop, trigger: t-stop, system: sys-r, secret: ${SECRET} }
  - { id: trig-cont, trigger: t-continue, system: sys-r, secret: ${SECRET} }
`,
};

let t: TestEngine | undefined;
afterEach(async () => t?.cleanup());

async function fire(engine: TestEngine, instance: string, body: unknown = {}, query = ''): Promise<string> {
  const response = await fetch(engine.url(`/webhook/${instance}/notify?secret=${SECRET}${query}`), {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', 'user-agent': 'booking-system/2.1' },
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { run: string }).run;
}

describe('runs', () => {
  it('runs actions in order with arguments taken from the body, query and headers', async () => {
    t = await startTestEngine({ files, extraDrivers: [probeDriver] });
    const run = await fire(t, 'trig-tpl', { input: 'hdmi2', organiser: { name: 'Ada' }, count: 7 }, '&room=101');
    await t.engine.executor.settled();
    expect(t.engine.modules.find('sys-r', 'Display_1')!.currentState).toMatchObject({ input: 'hdmi2', power: true });
    expect(t.engine.modules.find('sys-r', 'Probe_1')!.currentState.last).toEqual({
      room: '101',
      who: 'booked by Ada',
      agent: 'booking-system/2.1',
      count: 7,
    });
    expect(await t.engine.store.runs.get(run)).toMatchObject({ status: 'succeeded', error: null, instance_id: 'trig-tpl' });
    const actions = await t.engine.store.runs.actions(run);
    expect(actions.map((a) => [a.position, a.target, a.status])).toEqual([
      [0, 'Display_1.switch_to', 'succeeded'],
      [1, 'Probe_1.record', 'succeeded'],
    ]);
  });

  it('records a failed action with its error and stops the run', async () => {
    t = await startTestEngine({ files, extraDrivers: [probeDriver] });
    const run = await fire(t, 'trig-stop');
    await t.engine.executor.settled();
    expect(await t.engine.store.runs.get(run)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('probe failure on purpose'),
    });
    expect((await t.engine.store.runs.actions(run)).map((a) => a.status)).toEqual(['failed']);
    expect(t.engine.modules.find('sys-r', 'Display_1')!.currentState.power).toBe(false);
  });

  it('goes on past a failed action that says continue_on_error', async () => {
    t = await startTestEngine({ files, extraDrivers: [probeDriver] });
    const run = await fire(t, 'trig-cont');
    await t.engine.executor.settled();
    expect((await t.engine.store.runs.actions(run)).map((a) => a.status)).toEqual(['failed', 'succeeded']);
    expect(await t.engine.store.runs.get(run)).toMatchObject({
      status: 'succeeded',
      error: expect.stringContaining('probe failure'),
    });
    expect(t.engine.modules.find('sys-r', 'Display_1')!.currentState.power).toBe(true);
  });

  it('records bad templated arguments as a failed action naming the argument', async () => {
    t = await startTestEngine({ files, extraDrivers: [probeDriver] });
    const run = await fire(t, 'trig-tpl', { input: 42 });
    await t.engine.executor.settled();
    const [first] = await t.engine.store.runs.actions(run);
    expect(first).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('Display_1.switch_to got bad arguments: input'),
    });
  });

  it('keeps trigger_count and the last fired time across a restart', async () => {
    t = await startTestEngine({ files, extraDrivers: [probeDriver] });
    await fire(t, 'trig-cont');
    await fire(t, 'trig-cont');
    t = await t.restart();
    await fire(t, 'trig-cont');
    const stats = await t.engine.store.runs.stats('trig-cont');
    expect(stats).toMatchObject({ trigger_count: 3, last_fired_at: expect.any(Number) });
  });

  it('resumes an accepted but unfinished run at start, skipping actions already done', async () => {
    t = await startTestEngine({ files, extraDrivers: [probeDriver] });
    await t.stop();
    // A run the previous process accepted and half ran: action 0 is recorded as done.
    const input = JSON.stringify({ method: 'POST', body: { organiser: { name: 'Grace' } }, query: { room: '7' }, headers: {} });
    const direct = await openStore(databaseFile(t.dataDir));
    // Recent: the retention round at start must not take the run once it has finished.
    const at = Date.now();
    await direct.database.db
      .insertInto('runs')
      .values({
        id: 'run_resume',
        instance_id: 'trig-tpl',
        trigger_id: 't-templated',
        system_id: 'sys-r',
        request_id: null,
        created_at: at,
        status: 'pending',
        input,
        finished_at: null,
        error: null,
      })
      .execute();
    await direct.commit([
      {
        kind: 'run_action',
        row: {
          run_id: 'run_resume',
          position: 0,
          kind: 'call',
          target: 'Display_1.switch_to',
          status: 'succeeded',
          error: null,
          started_at: at,
          finished_at: at,
          detail: null,
        },
      },
    ]);
    await direct.close();
    t = await t.restart();
    await t.engine.executor.settled();
    expect(await t.engine.store.runs.get('run_resume')).toMatchObject({ status: 'succeeded' });
    expect((await t.engine.store.runs.actions('run_resume')).map((a) => a.position)).toEqual([0, 1]);
    // Action 0 was not run again in this process: the display kept its initial input.
    expect(t.engine.modules.find('sys-r', 'Display_1')!.currentState.input).toBe('hdmi1');
    expect(t.engine.modules.find('sys-r', 'Probe_1')!.currentState.last).toMatchObject({ who: 'booked by Grace', room: '7' });
  });
});
