// An instance called `notify`, its secret in the path: the secret, and secret-looking body
// fields, appear nowhere anyone reads (the request log, `switchboard log` and `runs`
// output, the events subscribers receive, the engine log), whichever URL form was used.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/main.js';
import { Receiver } from '../support/receiver.js';
import { probeDriver } from '../support/test-drivers.js';
import { startTestEngine, type TestEngine } from '../support/test-engine.js';

const SECRET = 'notify-path-secret-5f2c9a';
const TOKEN = 'body-token-value-77e1';
const PASSWORD = 'body-password-value-31b8';
const SIGNING = 'whsec_' + Buffer.from('secret-exposure-signing-key-32byte').toString('base64');

let t: TestEngine;
const receiver = new Receiver();

beforeAll(async () => {
  await receiver.start();
  t = await startTestEngine({
    extraDrivers: [probeDriver],
    files: {
      'site.yaml': `
outbound:
  allow: [127.0.0.1]
systems:
  - id: sys-n
    modules: [{ driver: display }, { driver: probe }]
triggers:
  - id: t-n
    actions:
      - emit: room.alert
        data: { camera: "{{ body.camera }}", token: "{{ body.token }}", note: "{{ body.note }}" }
instances:
  - { id: notify, trigger: t-n, system: sys-n, secret: ${SECRET}, exec: true }
subscriptions:
  - id: sub-all
    url: ${receiver.url()}
    secret: "${SIGNING}"
`,
    },
  });
  const body = JSON.stringify({ camera: 'east', token: TOKEN, password: PASSWORD, note: 'plain', nested: { api_key: TOKEN } });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` };
  const urls = [
    `/webhook/notify/notify/${SECRET}`,
    `/api/engine/v2/webhook/notify/notify/${SECRET}`,
    `/webhook/notify/notify?secret=${SECRET}`,
    `/webhook/notify/notify/${SECRET}/Probe/1/echo`,
    `/webhook/notify/notify?secret=${SECRET}&exec=true&mod=Probe&method=echo`,
    `/webhook/notify/notify/${SECRET}x`,
    `/webhook/notify/notify?secret=${SECRET}x`,
  ];
  for (const url of urls) {
    const response = await fetch(t.url(url), { method: 'POST', headers, body });
    expect(response.status, url).toBeLessThan(500);
    expect(await response.text()).not.toContain(SECRET);
  }
  await t.engine.settled();
  // Three fires and two execs (which also fire: the trigger has actions), each a trigger.fired and a room.alert.
  await receiver.waitFor(10);
});

afterAll(async () => {
  await t.cleanup();
  await receiver.close();
});

/** What a CLI command prints, run in-process on the test engine's config and data. */
async function cli(args: string[]): Promise<string> {
  const printed: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void printed.push(parts.join(' ')));
  try {
    expect(await run([...args, '--config', t.configDir, '--data', t.dataDir])).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return printed.join('\n');
}

function expectNoSecret(text: string, where: string): void {
  expect(text.length, `${where} is empty`).toBeGreaterThan(0);
  for (const secret of [SECRET, TOKEN, PASSWORD]) expect(text, `${where} shows ${secret}`).not.toContain(secret);
}

describe('an instance called notify with its secret in the path', () => {
  it('keeps the secret out of the request log, replaced where the route put it', async () => {
    const rows = await t.engine.store.database.db.selectFrom('request_log').selectAll().execute();
    expect(rows).toHaveLength(7);
    expectNoSecret(JSON.stringify(rows.map((r) => ({ ...r, body: r.body?.toString('utf8') }))), 'the request log');
    expect(rows.map((r) => r.path)).toContain('/webhook/notify/notify/[redacted]');
    expect(rows.map((r) => r.path)).toContain('/webhook/notify/notify/[redacted]/Probe/1/echo');
  });

  it('keeps secrets out of what `switchboard log --json` and `switchboard runs --json` print', async () => {
    expectNoSecret(await cli(['log', '--json']), 'switchboard log --json');
    const runs = await cli(['runs', '--json']);
    expectNoSecret(runs, 'switchboard runs --json');
    expect(runs).toContain('"camera":"east"');
  });

  it('keeps secrets out of the events subscribers receive', () => {
    const bodies = receiver.requests.map((r) => r.body).join('\n');
    expectNoSecret(bodies, 'the events');
    expect(bodies).toContain('/webhook/notify/notify/[redacted]');
    expect(bodies).toContain('"note":"plain"');
  });

  it('keeps secrets out of the engine log', () => {
    expectNoSecret(t.logs.text(), 'the engine log');
  });

  it('still stores what the run needs to resume', async () => {
    const runs = await t.engine.store.database.db.selectFrom('runs').select(['input', 'status']).execute();
    expect(runs).toHaveLength(5);
    for (const r of runs) expect(r.status).toBe('succeeded');
    expect(runs[0]!.input).toContain(TOKEN);
  });
});
