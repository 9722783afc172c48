// Tests the Meraki Scanning API receiver with v2 and v3 payloads shaped like the ones Meraki sends.
import { describe, expect, it } from 'vitest';
import type { WebhookRequest } from '../../src/drivers/api.js';
import { systemClock } from '../../src/clock.js';
import { ModuleInstance, type StateChange } from '../../src/drivers/module-instance.js';
import { driver } from './driver.js';

const SECRET = 'p1aceos-sc4nning-s3cret';
const VALIDATOR = 'da6a17c407bb11dfeec7392a5042be0a4cc034b6';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

interface Client {
  mac: string;
  ipv4: string | null;
  ssid: string | null;
  rssi: number | null;
  manufacturer: string | null;
  os: string | null;
  seen_at: number;
  ap_mac: string | null;
  lat: number | null;
  lng: number | null;
  x: number | null;
  y: number | null;
  floors: string[];
}

async function module(settings: Record<string, unknown> = {}) {
  const changes: StateChange[] = [];
  const services = {
    clock: systemClock,
    log: silent,
    onStateChange: (change: StateChange) => changes.push(change),
    emit: async () => {},
  };
  const m = new ModuleInstance(
    'sys-1',
    'Meraki_1',
    driver,
    driver.settings.parse({ validator: VALIDATOR, secret: SECRET, ...settings }),
    services,
  );
  await m.start();
  return { m, changes };
}

function request(method: string, body?: unknown, raw?: string): WebhookRequest {
  const text = raw ?? (body === undefined ? '' : JSON.stringify(body));
  return {
    method,
    path: '/',
    query: {},
    headers: { 'content-type': 'application/json' },
    rawBody: Buffer.from(text),
    body: raw === undefined ? body : undefined,
  };
}

const clients = (m: ModuleInstance) => m.currentState.clients as Record<string, Client>;

function v2Observation(clientMac: string, seenEpoch: number, extra: Record<string, unknown> = {}) {
  return {
    ipv4: '/10.20.30.41',
    location: { lat: -33.86853, lng: 151.20755, unc: 3.48, x: [12.7], y: [8.3] },
    seenTime: new Date(seenEpoch * 1000).toISOString(),
    ssid: 'Corp-WiFi',
    os: 'iOS',
    clientMac,
    seenEpoch,
    rssi: -58,
    ipv6: null,
    manufacturer: 'Apple',
    ...extra,
  };
}

function v2Payload(observations: unknown[], secret = SECRET) {
  return {
    version: '2.0',
    secret,
    type: 'DevicesSeen',
    data: { apMac: '00:18:0a:13:dd:b0', apFloors: ['Level 2'], apTags: ['boardroom', 'east'], observations },
  };
}

const v3Payload = {
  version: '3.0',
  secret: SECRET,
  type: 'WiFi',
  data: {
    networkId: 'L_643451796760561234',
    observations: [
      {
        clientMac: 'A4:83:E7:1C:2B:9F',
        name: "Jane's MacBook Pro",
        manufacturer: 'Apple',
        os: 'Mac OS X',
        ipv4: '/10.20.31.7',
        ipv6: null,
        ssid: 'Corp-WiFi',
        latestRecord: { time: '2024-05-14T03:21:45Z', nearestApMac: '0c:8d:db:6f:41:20', nearestApRssi: -47 },
        locations: [
          {
            lat: -33.86849,
            lng: 151.20761,
            variance: 4.21,
            time: '2024-05-14T03:20:45Z',
            floorPlanId: 'g_643451796760561111',
            floorPlanName: 'Level 3',
            x: 20.1,
            y: 14.5,
            nearestApTags: [],
            rssiRecords: [{ apMac: '0c:8d:db:6f:41:20', rssi: -47 }],
          },
          {
            lat: -33.86851,
            lng: 151.20763,
            variance: 3.02,
            time: '2024-05-14T03:21:45Z',
            floorPlanId: 'g_643451796760561111',
            floorPlanName: 'Level 3',
            x: 'NaN',
            y: 'NaN',
            nearestApTags: ['east'],
            rssiRecords: [{ apMac: '0c:8d:db:6f:41:20', rssi: -47 }],
          },
        ],
      },
    ],
  },
};

describe('meraki driver', () => {
  it('answers GET with the validator as text/plain', async () => {
    const { m } = await module();
    expect(await m.handleWebhook('scanning', request('GET'))).toEqual({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: VALIDATOR,
    });
  });

  it('records a v2 post', async () => {
    const { m, changes } = await module();
    const answer = await m.handleWebhook(
      'scanning',
      request(
        'POST',
        v2Payload([
          v2Observation('00:11:22:33:44:55', 1715656905),
          v2Observation('00:11:22:33:44:66', 1715656910, { location: null, ssid: null }),
        ]),
      ),
    );
    expect(answer).toEqual({ status: 200, body: { received: 2 } });
    expect(m.currentState).toMatchObject({ client_count: 2, observations_received: 2, last_post_at: expect.any(Number) });
    expect(clients(m)['00:11:22:33:44:55']).toEqual({
      mac: '00:11:22:33:44:55',
      ipv4: '10.20.30.41',
      ssid: 'Corp-WiFi',
      rssi: -58,
      manufacturer: 'Apple',
      os: 'iOS',
      seen_at: 1715656905000,
      ap_mac: '00:18:0a:13:dd:b0',
      lat: -33.86853,
      lng: 151.20755,
      x: 12.7,
      y: 8.3,
      floors: ['Level 2'],
    });
    expect(clients(m)['00:11:22:33:44:66']).toMatchObject({ ssid: null, lat: null, x: null, floors: ['Level 2'] });
    expect(changes.map((c) => c.key)).toEqual(expect.arrayContaining(['clients', 'client_count', 'observations_received']));
  });

  it('records a v3 post from the raw body, using the latest location', async () => {
    const { m } = await module();
    const answer = await m.handleWebhook('scanning', request('POST', undefined, JSON.stringify(v3Payload)));
    expect(answer).toEqual({ status: 200, body: { received: 1 } });
    expect(clients(m)['a4:83:e7:1c:2b:9f']).toEqual({
      mac: 'a4:83:e7:1c:2b:9f',
      ipv4: '10.20.31.7',
      ssid: 'Corp-WiFi',
      rssi: -47,
      manufacturer: 'Apple',
      os: 'Mac OS X',
      seen_at: Date.parse('2024-05-14T03:21:45Z'),
      ap_mac: '0c:8d:db:6f:41:20',
      lat: -33.86851,
      lng: 151.20763,
      x: null,
      y: null,
      floors: ['Level 3'],
    });
  });

  it('keeps the newest sighting when an older one arrives later', async () => {
    const { m } = await module();
    await m.handleWebhook(
      'scanning',
      request('POST', v2Payload([v2Observation('00:11:22:33:44:55', 1715656905, { rssi: -50 })])),
    );
    await m.handleWebhook(
      'scanning',
      request('POST', v2Payload([v2Observation('00:11:22:33:44:55', 1715656800, { rssi: -80 })])),
    );
    expect(clients(m)['00:11:22:33:44:55']).toMatchObject({ rssi: -50, seen_at: 1715656905000 });
    expect(m.currentState).toMatchObject({ client_count: 1, observations_received: 2 });
  });

  it('refuses a wrong or missing secret with 403 and leaves state alone', async () => {
    const { m } = await module();
    const before = m.currentState;
    for (const body of [
      v2Payload([v2Observation('00:11:22:33:44:55', 1715656905)], 'guess'),
      { ...v2Payload([]), secret: undefined },
    ]) {
      const answer = await m.handleWebhook('scanning', request('POST', body));
      expect(answer).toMatchObject({ status: 403, body: { error: 'invalid_secret' } });
      expect(JSON.stringify(answer)).not.toContain(SECRET);
    }
    expect(m.currentState).toBe(before);
  });

  it('answers 400 naming the bad field', async () => {
    const { m } = await module();
    const bad = v2Payload([{ ...v2Observation('00:11:22:33:44:55', 1715656905), clientMac: 42 }]);
    expect(await m.handleWebhook('scanning', request('POST', bad))).toMatchObject({
      status: 400,
      body: { error: 'invalid_payload', message: expect.stringContaining('data.observations.0.clientMac') },
    });
    expect(await m.handleWebhook('scanning', request('POST', { ...v2Payload([]), version: '1.0' }))).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('version') },
    });
    expect(await m.handleWebhook('scanning', request('POST', undefined, '{"version": "2.0",'))).toMatchObject({
      status: 400,
      body: { message: 'body is not JSON' },
    });
    expect(m.currentState.observations_received).toBe(0);
  });

  it('answers 405 to other methods', async () => {
    const { m } = await module();
    expect(await m.handleWebhook('scanning', request('PUT', v2Payload([])))).toMatchObject({
      status: 405,
      headers: { allow: 'GET, POST' },
    });
  });

  it('keeps at most max_clients, dropping the oldest seen', async () => {
    const { m } = await module({ max_clients: 2 });
    const answer = await m.handleWebhook(
      'scanning',
      request(
        'POST',
        v2Payload([
          v2Observation('00:11:22:33:44:01', 1715656900),
          v2Observation('00:11:22:33:44:02', 1715656800),
          v2Observation('00:11:22:33:44:03', 1715656950),
        ]),
      ),
    );
    expect(answer).toEqual({ status: 200, body: { received: 3 } });
    expect(Object.keys(clients(m)).sort()).toEqual(['00:11:22:33:44:01', '00:11:22:33:44:03']);
    expect(m.currentState).toMatchObject({ client_count: 2, observations_received: 3 });
  });

  it('lists clients newest first and forgets one', async () => {
    const { m } = await module();
    await m.handleWebhook(
      'scanning',
      request(
        'POST',
        v2Payload([v2Observation('00:11:22:33:44:55', 1715656905), v2Observation('00:11:22:33:44:66', 1715656990)]),
      ),
    );
    expect(((await m.call('clients', {})) as Client[]).map((c) => c.mac)).toEqual(['00:11:22:33:44:66', '00:11:22:33:44:55']);
    expect(await m.call('forget', { mac: '00:11:22:33:44:55' })).toEqual({ forgotten: true });
    expect(await m.call('forget', { mac: '00:11:22:33:44:55' })).toEqual({ forgotten: false });
    expect(m.currentState).toMatchObject({ client_count: 1 });
    expect(Object.keys(clients(m))).toEqual(['00:11:22:33:44:66']);
  });

  it('refuses settings without validator or secret', () => {
    expect(driver.settings.safeParse({ secret: SECRET }).success).toBe(false);
    expect(driver.settings.safeParse({ validator: VALIDATOR }).success).toBe(false);
    expect(driver.settings.parse({ validator: VALIDATOR, secret: SECRET })).toMatchObject({ max_clients: 5000 });
  });
});
