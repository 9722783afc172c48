// Tests the Meraki Scanning API receiver with v2 and v3 payloads shaped like the ones Meraki sends.
// The documented shapes live in ./fixtures; its README says where each one comes from.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startDriver, type DriverUnderTest, type SettingsOf } from '../../src/drivers/testing.js';
import { driver } from './driver.js';

const SECRET = 'p1aceos-sc4nning-s3cret';
const VALIDATOR = 'da6a17c407bb11dfeec7392a5042be0a4cc034b6';

type Meraki = DriverUnderTest<typeof driver>;
type Client = Meraki['state']['clients'][string];

const module = (settings: Partial<SettingsOf<typeof driver>> = {}) =>
  startDriver(driver, { settings: { validator: VALIDATOR, secret: SECRET, ...settings } });

/** A fixture body with the test secret, unless `secret` says otherwise (the files carry Meraki's "supersecret"). */
function fixture(name: string, secret: string | null = SECRET): Record<string, unknown> {
  const body = JSON.parse(readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
  return secret === null ? body : { ...body, secret };
}

async function post(m: Meraki, body: unknown) {
  return m.webhook('scanning', { body });
}

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
    const m = await module();
    expect(await m.webhook('scanning', { method: 'GET' })).toEqual({
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: VALIDATOR,
    });
  });

  it('records a v2 post', async () => {
    const m = await module();
    const answer = await post(
      m,
      v2Payload([
        v2Observation('00:11:22:33:44:55', 1715656905),
        v2Observation('00:11:22:33:44:66', 1715656910, { location: null, ssid: null }),
      ]),
    );
    expect(answer).toEqual({ status: 200, body: { received: 2 } });
    expect(m.state).toMatchObject({ client_count: 2, observations_received: 2, last_post_at: m.clock.now() });
    expect(m.state.clients['00:11:22:33:44:55']).toEqual({
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
    expect(m.state.clients['00:11:22:33:44:66']).toMatchObject({ ssid: null, lat: null, x: null, floors: ['Level 2'] });
    expect(m.stateChanges.map((c) => c.key)).toEqual(
      expect.arrayContaining(['clients', 'client_count', 'observations_received']),
    );
  });

  it('records a v3 post from the raw body, using the latest location', async () => {
    const m = await module();
    const answer = await m.webhook('scanning', { rawBody: JSON.stringify(v3Payload) });
    expect(answer).toEqual({ status: 200, body: { received: 1 } });
    expect(m.state.clients['a4:83:e7:1c:2b:9f']).toEqual({
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
    const m = await module();
    await post(m, v2Payload([v2Observation('00:11:22:33:44:55', 1715656905, { rssi: -50 })]));
    await post(m, v2Payload([v2Observation('00:11:22:33:44:55', 1715656800, { rssi: -80 })]));
    expect(m.state.clients['00:11:22:33:44:55']).toMatchObject({ rssi: -50, seen_at: 1715656905000 });
    expect(m.state).toMatchObject({ client_count: 1, observations_received: 2 });
  });

  it('refuses a wrong or missing secret with 403 and leaves state alone', async () => {
    const m = await module();
    const before = m.state;
    for (const body of [
      v2Payload([v2Observation('00:11:22:33:44:55', 1715656905)], 'guess'),
      { ...v2Payload([]), secret: undefined },
      // Meraki's own examples carry "supersecret", which is not ours.
      fixture('v3.0-wifi', null),
      // The secret is checked before the version, so an outsider learns nothing about either.
      { ...fixture('v3.0-wifi', 'guess'), version: '9.0' },
    ]) {
      const answer = await post(m, body);
      expect(answer).toEqual({
        status: 403,
        body: { error: 'invalid_secret', message: 'the secret in the body is missing or wrong' },
      });
      expect(JSON.stringify(answer)).not.toContain(SECRET);
    }
    expect(m.state).toBe(before);
  });

  it('answers 400 naming the bad field', async () => {
    const m = await module();
    const bad = v2Payload([{ ...v2Observation('00:11:22:33:44:55', 1715656905), clientMac: 42 }]);
    expect(await post(m, bad)).toMatchObject({
      status: 400,
      body: { error: 'invalid_payload', message: expect.stringContaining('data.observations.0.clientMac') },
    });
    expect(await post(m, { ...v2Payload([]), version: '1.0' })).toMatchObject({
      status: 400,
      body: { message: expect.stringContaining('version') },
    });
    expect(await m.webhook('scanning', { rawBody: '{"version": "2.0",' })).toMatchObject({
      status: 400,
      body: { message: 'body is not JSON' },
    });
    expect(m.state.observations_received).toBe(0);
  });

  it('answers 405 to other methods', async () => {
    const m = await module();
    expect(await m.webhook('scanning', { method: 'PUT', body: v2Payload([]) })).toMatchObject({
      status: 405,
      headers: { allow: 'GET, POST' },
    });
  });

  it('keeps at most max_clients, dropping the oldest seen', async () => {
    const m = await module({ max_clients: 2 });
    const answer = await post(
      m,
      v2Payload([
        v2Observation('00:11:22:33:44:01', 1715656900),
        v2Observation('00:11:22:33:44:02', 1715656800),
        v2Observation('00:11:22:33:44:03', 1715656950),
      ]),
    );
    expect(answer).toEqual({ status: 200, body: { received: 3 } });
    expect(Object.keys(m.state.clients).sort()).toEqual(['00:11:22:33:44:01', '00:11:22:33:44:03']);
    expect(m.state).toMatchObject({ client_count: 2, observations_received: 3 });
  });

  it('lists clients newest first and forgets one', async () => {
    const m = await module();
    await post(m, v2Payload([v2Observation('00:11:22:33:44:55', 1715656905), v2Observation('00:11:22:33:44:66', 1715656990)]));
    expect(((await m.call('clients', {})) as Client[]).map((c) => c.mac)).toEqual(['00:11:22:33:44:66', '00:11:22:33:44:55']);
    expect(await m.call('forget', { mac: '00:11:22:33:44:55' })).toEqual({ forgotten: true });
    expect(await m.call('forget', { mac: '00:11:22:33:44:55' })).toEqual({ forgotten: false });
    expect(m.state).toMatchObject({ client_count: 1 });
    expect(Object.keys(m.state.clients)).toEqual(['00:11:22:33:44:66']);
  });

  it('refuses settings without validator or secret', () => {
    expect(driver.settings.safeParse({ secret: SECRET }).success).toBe(false);
    expect(driver.settings.safeParse({ validator: VALIDATOR }).success).toBe(false);
    expect(driver.settings.parse({ validator: VALIDATOR, secret: SECRET })).toMatchObject({ max_clients: 5000 });
  });
});

describe('meraki driver with the documented payload shapes', () => {
  it('records a v2.0 WiFi post (DevicesSeen)', async () => {
    const m = await module();
    expect(await post(m, fixture('v2.0-wifi'))).toEqual({ status: 200, body: { received: 2 } });
    expect(m.state.clients).toEqual({
      '18:fe:34:fc:5a:7f': {
        mac: '18:fe:34:fc:5a:7f',
        ipv4: '192.168.0.38',
        ssid: '.interwebs',
        rssi: 47,
        manufacturer: 'Espressif',
        os: null,
        seen_at: 1474675583000,
        ap_mac: '00:18:0a:13:dd:b0',
        lat: 51.5355157,
        lng: -0.06990350000000944,
        x: null,
        y: null,
        floors: [],
      },
      '74:da:38:56:0a:80': expect.objectContaining({ ipv4: '192.168.0.15', os: 'Generic Linux', seen_at: 1474675600000 }),
    });
  });

  it('records a v2.0 Bluetooth post (BluetoothDevicesSeen), which has no IP, SSID or OS', async () => {
    const m = await module();
    expect(await post(m, fixture('v2.0-bluetooth'))).toEqual({ status: 200, body: { received: 2 } });
    expect(m.state.clients['c4:7c:8d:6a:10:21']).toEqual({
      mac: 'c4:7c:8d:6a:10:21',
      ipv4: null,
      ssid: null,
      rssi: -54,
      manufacturer: null,
      os: null,
      seen_at: 1474675590000,
      ap_mac: '00:18:0a:13:dd:b0',
      lat: 51.5355157,
      lng: -0.06990350000000944,
      x: 3.5,
      y: 7.25,
      floors: ['Office 2F'],
    });
    expect(m.state.clients['e8:1d:4f:02:9b:55']).toMatchObject({ rssi: -85, x: null, seen_at: 1474675561000 });
  });

  it('records a v2.1 post, reading it as v2', async () => {
    const m = await module();
    expect(await post(m, fixture('v2.1-wifi'))).toEqual({ status: 200, body: { received: 2 } });
    expect(Object.keys(m.state.clients).sort()).toEqual(['18:fe:34:fc:ff:ff', '74:da:38:56:ff:ff']);
    expect(m.state.clients['18:fe:34:fc:ff:ff']).toMatchObject({
      ipv4: '192.168.0.38',
      rssi: 47,
      seen_at: 1474675583000,
      ap_mac: '00:18:0a:13:dd:b0',
      lat: 52.5355157,
    });
  });

  it('records a v3.0 WiFi post, taking the latest location and string-typed numbers', async () => {
    const m = await module();
    expect(await post(m, fixture('v3.0-wifi'))).toEqual({ status: 200, body: { received: 2 } });
    expect(m.state.clients).toEqual({
      '18:fe:34:fc:5a:7f': {
        mac: '18:fe:34:fc:5a:7f',
        ipv4: '192.168.0.38',
        ssid: '.interwebs',
        rssi: -64,
        manufacturer: 'Espressif',
        os: 'Android',
        seen_at: Date.parse('2021-01-15T00:16:15Z'),
        ap_mac: '00:18:0a:13:dd:b0',
        lat: 51.5355412,
        lng: -0.0699101,
        x: 4.5,
        y: 7.75,
        floors: ['Ground floor'],
      },
      // No recent location: only the latest record, whose RSSI the v3 schema types as a string.
      '74:da:38:56:0a:80': {
        mac: '74:da:38:56:0a:80',
        ipv4: null,
        ssid: null,
        rssi: -88,
        manufacturer: 'Edimax Technology',
        os: null,
        seen_at: Date.parse('2021-01-15T00:16:55Z'),
        ap_mac: '00:18:0a:13:dd:b1',
        lat: null,
        lng: null,
        x: null,
        y: null,
        floors: [],
      },
    });
  });

  it('records a v3.0 Bluetooth post, reading x, y and the floor from the nested floorPlan', async () => {
    const m = await module();
    expect(await post(m, fixture('v3.0-bluetooth'))).toEqual({ status: 200, body: { received: 1 } });
    expect(m.state.clients).toEqual({
      'e2:5a:11:3c:00:07': {
        mac: 'e2:5a:11:3c:00:07',
        ipv4: null,
        ssid: null,
        rssi: -74,
        manufacturer: null,
        os: null,
        seen_at: Date.parse('2021-01-16T01:39:57Z'),
        ap_mac: '00:18:0a:13:dd:b0',
        lat: 51.5355174,
        lng: -0.0699095,
        x: 2.0060374085914203,
        y: 7.386567044007011,
        floors: ['Warehouse'],
      },
    });
  });

  it('records a v3.0 BLE post, falling back to the loudest AP when there is no latest record', async () => {
    const m = await module();
    expect(await post(m, fixture('v3.0-ble'))).toEqual({ status: 200, body: { received: 2 } });
    expect(m.state.clients['d1:17:1a:dd:9e:45']).toEqual({
      mac: 'd1:17:1a:dd:9e:45',
      ipv4: null,
      ssid: null,
      rssi: -69,
      manufacturer: null,
      os: null,
      seen_at: Date.parse('2021-11-23T14:07:30Z'),
      ap_mac: '00:18:0a:13:dd:b2',
      lat: 51.5355302,
      lng: -0.0699126,
      x: 11.5,
      y: null,
      floors: ['Warehouse'],
    });
    expect(m.state.clients['24:fc:e5:90:97:4d']).toMatchObject({
      rssi: -93,
      ap_mac: '00:18:0a:13:dd:b0',
      seen_at: Date.parse('2021-11-23T14:07:40Z'),
      lat: null,
      floors: [],
    });
  });

  it('records a 3.x minor post as v3, ignoring the fields it adds', async () => {
    const m = await module();
    expect(await post(m, fixture('v3.1-wifi'))).toEqual({ status: 200, body: { received: 1 } });
    expect(m.state.clients).toEqual({
      'a4:83:e7:1c:2b:9f': {
        mac: 'a4:83:e7:1c:2b:9f',
        ipv4: '192.168.0.77',
        ssid: '.interwebs',
        rssi: -58,
        manufacturer: 'Apple',
        os: 'iOS',
        seen_at: Date.parse('2024-05-14T03:21:45Z'),
        ap_mac: '00:18:0a:13:dd:b2',
        lat: 51.5355166,
        lng: -0.0699044,
        x: 9.75,
        y: 2.5,
        floors: ['Ground floor'],
      },
    });
  });

  it('routes on the major version whether it comes as "3.12" or as the number 3', async () => {
    const m = await module();
    for (const version of ['3.12', 3, 3.2, '2.4']) {
      const body = typeof version === 'string' && version.startsWith('2') ? fixture('v2.0-wifi') : fixture('v3.0-wifi');
      expect(await post(m, { ...body, version })).toEqual({ status: 200, body: { received: 2 } });
    }
    expect(m.state).toMatchObject({ client_count: 2, observations_received: 8 });
  });

  it('reads a v2 address written as "hostname/address"', async () => {
    const m = await module();
    await post(m, v2Payload([v2Observation('00:11:22:33:44:55', 1715656905, { ipv4: 'janes-laptop/10.20.30.41' })]));
    expect(m.state.clients['00:11:22:33:44:55']).toMatchObject({ ipv4: '10.20.30.41' });
  });

  it('refuses an unknown major version with 400 naming the versions it reads', async () => {
    const m = await module();
    const before = m.state;
    const accepted = 'this receiver reads Scanning API versions 2.x and 3.x';
    for (const [version, message] of [
      ['4.0', `version: "4.0" is not supported; ${accepted}`],
      ['1.0', `version: "1.0" is not supported; ${accepted}`],
      [4, `version: 4 is not supported; ${accepted}`],
      ['v3', `version: "v3" is not supported; ${accepted}`],
      [undefined, `version: is missing; ${accepted}`],
      [{ major: 3 }, `version: must be a string such as "3.0"; ${accepted}`],
    ] as const) {
      expect(await post(m, { ...fixture('v3.0-wifi'), version })).toEqual({
        status: 400,
        body: { error: 'invalid_payload', message },
      });
    }
    expect(m.state).toBe(before);
  });

  it('refuses a type that does not belong to the major version, naming the types it reads', async () => {
    const m = await module();
    expect(await post(m, { ...fixture('v2.0-wifi'), type: 'WiFi' })).toMatchObject({
      status: 400,
      body: { error: 'invalid_payload', message: expect.stringMatching(/^type: .*"DevicesSeen".*"BluetoothDevicesSeen"/) },
    });
    expect(await post(m, { ...fixture('v3.0-wifi'), type: 'DevicesSeen' })).toMatchObject({
      status: 400,
      body: { message: expect.stringMatching(/^type: .*"WiFi".*"Bluetooth".*"BLE"/) },
    });
    expect(m.state.observations_received).toBe(0);
  });
});
