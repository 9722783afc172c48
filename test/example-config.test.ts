// The example config in config/ works as the README says: the Meraki receiver through
// exec, a debounced lobby trigger that wakes a display, and a booking that drives a room.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEngine, type Engine } from '../src/engine.js';
import { Webhook } from 'standardwebhooks';
import { captureLogs } from './support/log-capture.js';
import { Receiver } from './support/receiver.js';

const CONFIG = fileURLToPath(new URL('../config', import.meta.url));
const VALIDATOR = 'da6a17c407bb11dfeec7392a5042be0a4cc034b6';
const MERAKI_SECRET = 'change-me-meraki-shared-secret';

let engine: Engine;
let dataDir: string;
let facilities: Receiver;
const DEMO_SECRET = 'whsec_ZGVtby1zaWduaW5nLXNlY3JldC1mb3ItdGhlLWV4YW1wbGU=';
const secretOf = async (id: string) =>
  (
    await engine.store.database.db
      .selectFrom('instance_secrets')
      .select('secret')
      .where('instance_id', '=', id)
      .executeTakeFirstOrThrow()
  ).secret;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'switchboard-example-'));
  facilities = await new Receiver().start();
  engine = await startEngine({
    configDir: CONFIG,
    dataDir,
    port: 0,
    env: { FACILITIES_WEBHOOK_URL: facilities.url('/hooks') },
    log: captureLogs().log,
  });
});
afterAll(async () => {
  await engine.stop();
  await facilities.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the example config', () => {
  it('answers Meraki validation and records observations through exec', async () => {
    const base = `${engine.url}/webhook/trig-lobby-meraki/notify?secret=${await secretOf('trig-lobby-meraki')}&exec=true&mod=Meraki&method=scanning`;
    const validation = await fetch(base);
    expect(validation.status).toBe(200);
    expect(await validation.text()).toBe(VALIDATOR);

    const observation = {
      version: '2.0',
      secret: MERAKI_SECRET,
      type: 'DevicesSeen',
      data: {
        apMac: '00:18:0a:13:dd:b0',
        apFloors: ['Level 1'],
        apTags: [],
        observations: [
          {
            clientMac: 'f4:5c:89:9a:10:2e',
            ipv4: '/10.20.1.33',
            ipv6: null,
            seenTime: '2026-11-25T09:15:02Z',
            seenEpoch: 1795598102,
            ssid: 'Acme-Staff',
            rssi: 41,
            manufacturer: 'Apple',
            os: 'iOS',
            location: { lat: -33.8688, lng: 151.2093, unc: 3.2, x: [12.5], y: [4.25] },
          },
        ],
      },
    };
    const post = await fetch(base, {
      method: 'POST',
      body: JSON.stringify(observation),
      headers: { 'content-type': 'application/json' },
    });
    expect(post.status).toBe(200);
    expect(engine.modules.find('sys-lobby', 'Meraki_1')!.currentState).toMatchObject({ client_count: 1 });

    const wrong = await fetch(base, {
      method: 'POST',
      body: JSON.stringify({ ...observation, secret: 'nope' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(wrong.status).toBe(403);
  });

  it('wakes the lobby display once per burst of motion', async () => {
    const url = `${engine.url}/webhook/trig-lobby-alerts/notify?secret=${await secretOf('trig-lobby-alerts')}`;
    const first = await fetch(url, {
      method: 'POST',
      body: '{"camera":"lobby-east"}',
      headers: { 'content-type': 'application/json' },
    });
    const second = await fetch(url, {
      method: 'POST',
      body: '{"camera":"lobby-east"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(await first.json()).toMatchObject({ fired: true });
    expect(await second.json()).toEqual({ fired: false, reason: 'debounced' });
    await engine.executor.settled();
    expect(engine.modules.find('sys-lobby', 'Display_1')!.currentState).toMatchObject({ power: true, input: 'hdmi2' });
  });

  it('readies the meeting room with the input the booking names', async () => {
    const url = `${engine.url}/webhook/trig-room-101-booking/notify?secret=${await secretOf('trig-room-101-booking')}`;
    const response = await fetch(url, {
      method: 'POST',
      body: '{"input":"usbc","booking":"BK-2291"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(202);
    await engine.executor.settled();
    expect(engine.modules.find('sys-room-101', 'Display_1')!.currentState).toMatchObject({ power: true, input: 'usbc' });
    expect(engine.modules.find('sys-room-101', 'Display_2')!.currentState).toMatchObject({ power: true });
  });

  it('tells the facilities receiver, signed with the demo secret, what fired and what changed', async () => {
    await engine.outbound.worker.idle();
    await facilities.waitFor(1);
    const events = facilities.requests.map(
      (r) =>
        new Webhook(DEMO_SECRET).verify(r.body, r.headers as Record<string, string>) as {
          type: string;
          data: Record<string, unknown>;
        },
    );
    expect(events.map((e) => e.type)).toContain('trigger.fired');
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'module.state_changed',
        data: expect.objectContaining({ system: 'sys-lobby', module: 'Display_1', key: 'power', new: true }),
      }),
    );
  });
});
