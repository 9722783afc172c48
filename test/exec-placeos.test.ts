// Exec as PlaceOS integrations need it, through a real server: exec is never debounced
// (Meraki's validator GET inside a debounce window still answers), an exec on a trigger
// with actions also fires them once (a run, its trigger.fired, the count), under the
// trigger's debounce, and exec takes true/1/false/0 in any case.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { urls } from '../src/cli/commands/urls.js';
import { Receiver } from './support/receiver.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const SECRET = 'placeos-exec-secret-0123456789';
const VALIDATOR = 'da6a17c407bb11dfeec7392a5042be0a4cc034b6';
const SIGNING = 'whsec_' + Buffer.from('placeos-exec-signing-key-32bytes!').toString('base64');

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
  - id: sys-m
    modules:
      - driver: display
      - driver: meraki
        settings: { validator: ${VALIDATOR}, secret: meraki-shared-secret }
triggers:
  - id: t-scan
    methods: [GET, POST]
    debounce: 10s
  - id: t-scan-act
    methods: [GET, POST]
    debounce: 10s
    actions:
      - call: Display_1.power
        args: { state: true }
instances:
  - { id: trig-scan, trigger: t-scan, system: sys-m, secret: ${SECRET}, exec: true }
  - { id: trig-act, trigger: t-scan-act, system: sys-m, secret: ${SECRET}, exec: true }
subscriptions:
  - { id: sub-fired, url: "${receiver.url()}", events: [trigger.fired], secret: "${SIGNING}" }
`,
    },
  });
});
afterAll(async () => {
  await t.cleanup();
  await receiver.close();
});

const validate = (instance: string, exec = 'true') =>
  fetch(t.url(`/webhook/${instance}/notify?secret=${SECRET}&exec=${exec}&mod=Meraki&method=scanning`));

async function runsOf(instance: string) {
  await t.engine.settled();
  return t.engine.store.database.db.selectFrom('runs').selectAll().where('instance_id', '=', instance).execute();
}

describe('exec, PlaceOS style', () => {
  it('answers the validator every time, inside the debounce window too', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await validate('trig-scan');
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(VALIDATOR);
    }
    expect(await runsOf('trig-scan')).toHaveLength(0); // no actions: nothing to fire
  });

  it('also fires a trigger with actions once per debounce window, answering with the module every time', async () => {
    for (let i = 0; i < 3; i++) expect(await (await validate('trig-act')).text()).toBe(VALIDATOR);
    const runs = await runsOf('trig-act');
    expect(runs).toHaveLength(1);
    expect(runs[0]!.status).toBe('succeeded');
    const stats = await t.engine.store.runs.stats('trig-act');
    expect(stats?.trigger_count).toBe(1);
    const rows = await t.engine.store.database.db
      .selectFrom('request_log')
      .select(['outcome', 'status', 'run_id', 'reason'])
      .where('instance_id', '=', 'trig-act')
      .orderBy('received_at')
      .orderBy('id')
      .execute();
    expect(rows).toEqual([
      { outcome: 'exec', status: 200, run_id: runs[0]!.id, reason: null },
      { outcome: 'exec', status: 200, run_id: null, reason: 'not fired: debounced (inside the 10000 ms debounce window)' },
      { outcome: 'exec', status: 200, run_id: null, reason: 'not fired: debounced (inside the 10000 ms debounce window)' },
    ]);
    const [event] = await receiver.waitFor(1);
    const fired = JSON.parse(event!.body) as { type: string; data: { run: string; cause: string } };
    expect(fired).toMatchObject({ type: 'trigger.fired', data: { run: runs[0]!.id, cause: 'webhook' } });
  });

  it.each(['1', 'TRUE', 'True'])('takes exec=%s as exec', async (exec) => {
    const response = await validate('trig-scan', exec);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(VALIDATOR);
  });

  it('answers 400 bad_parameter for an exec value that is not true/1/false/0', async () => {
    const response = await validate('trig-scan', 'maybe');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: 'bad_parameter', message: '`exec` must be true, 1, false or 0.' });
  });

  it('treats exec=0 as a plain fire (debounced like any fire)', async () => {
    const response = await fetch(t.url(`/webhook/trig-scan/notify?secret=${SECRET}&exec=0&mod=Meraki&method=scanning`), {
      method: 'POST',
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ fired: true, run: expect.stringMatching(/^run_/) });
  });
});

describe('switchboard urls for an exec instance', () => {
  async function printed(): Promise<string[]> {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    try {
      expect(await urls({ config: t.configDir, data: t.dataDir })).toBe(0);
    } finally {
      spy.mockRestore();
    }
    return lines;
  }

  it('prints the fire URL and one path-form URL per webhook method, on the address the engine listens at', async () => {
    const lines = (await printed()).filter((line) => line.startsWith('trig-scan\t'));
    expect(lines).toEqual([
      `trig-scan\t${t.engine.url}/webhook/trig-scan/notify?secret=${SECRET}\t(exec)`,
      `trig-scan\t${t.engine.url}/webhook/trig-scan/notify/${SECRET}/Meraki/1/scanning\t(exec Meraki_1.scanning)`,
    ]);
  });

  it('prints a URL that, pasted back, answers the Meraki validator', async () => {
    const line = (await printed()).find((l) => l.includes('(exec Meraki_1.scanning)') && l.startsWith('trig-scan'))!;
    const response = await fetch(line.split('\t')[1]!);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(VALIDATOR);
  });
});
