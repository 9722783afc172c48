// Receives Cisco Meraki Scanning API posts (2.x and 3.x, WiFi and Bluetooth) and keeps where each client was last seen.
import { defineDriver, secretsEqual, z, type WebhookResponse } from '../../src/drivers/api.js';

const client = z.object({
  mac: z.string(),
  ipv4: z.string().nullable(),
  ssid: z.string().nullable(),
  rssi: z.number().nullable(),
  manufacturer: z.string().nullable(),
  os: z.string().nullable(),
  /** Epoch ms of the observation, as Meraki reports it. */
  seen_at: z.number(),
  ap_mac: z.string().nullable(),
  lat: z.number().nullable(),
  lng: z.number().nullable(),
  x: z.number().nullable(),
  y: z.number().nullable(),
  floors: z.array(z.string()),
});
type Client = z.output<typeof client>;

// Payload schemas: strict only where we depend on a field; Meraki adds fields over time.
const str = z.string().nullish();
// Meraki sends unknown coordinates as null, "NaN" or an empty array, and its v3 schema types
// some numbers (lat, y, nearestApRssi) as strings; all are normalised by `number` below.
const numeric = z.union([z.number(), z.string()]).nullish();
// The examples write `version` as a string ("2.1"); the v3 schema sketch calls it a number.
const version = z.union([z.string(), z.number()]);

/** v2 (2.0, 2.1, …): one post per access point, observations grouped under it. */
const v2 = z.object({
  version,
  type: z.enum(['DevicesSeen', 'BluetoothDevicesSeen']),
  data: z.object({
    apMac: str,
    apFloors: z.array(z.string()).nullish(),
    apTags: z.array(z.string()).nullish(),
    observations: z.array(
      z.object({
        clientMac: z.string().min(1),
        ipv4: str,
        ipv6: str,
        seenTime: str,
        seenEpoch: numeric,
        ssid: str,
        rssi: numeric,
        manufacturer: str,
        os: str,
        location: z
          .object({ lat: numeric, lng: numeric, unc: numeric, x: z.array(numeric).nullish(), y: z.array(numeric).nullish() })
          .nullish(),
      }),
    ),
  }),
});

const v3Place = z.object({
  lat: numeric,
  lng: numeric,
  // WiFi places carry x, y and the floor plan flat; Bluetooth places nest them in `floorPlan`.
  x: numeric,
  y: numeric,
  floorPlanName: str,
  floorPlan: z.object({ name: str, x: numeric, y: numeric }).nullish(),
  nearestApMac: str,
  rssiRecords: z.array(z.object({ apMac: str, rssi: numeric })).nullish(),
  time: str,
});

/** v3 (3.0, 3.x): one post per network, observations grouped by client. */
const v3 = z.object({
  version,
  // The docs name Bluetooth posts "BLE"; networks have been seen sending "Bluetooth".
  type: z.enum(['WiFi', 'Bluetooth', 'BLE']),
  data: z.object({
    networkId: str,
    observations: z.array(
      z.object({
        clientMac: z.string().min(1),
        ipv4: str,
        ipv6: str,
        ssid: str,
        manufacturer: str,
        os: str,
        // Present when the client has no recent location, and usually otherwise too.
        latestRecord: z.object({ time: str, nearestApMac: str, nearestApRssi: numeric }).nullish(),
        locations: z.array(v3Place).nullish(),
      }),
    ),
  }),
});

type Payload = { major: 2; body: z.output<typeof v2> } | { major: 3; body: z.output<typeof v3> };
type Place = z.output<typeof v3Place>;

export const driver = defineDriver({
  name: 'meraki',
  module: 'Meraki',
  description:
    'Receives Meraki Scanning API 2.x and 3.x posts and keeps the last known place of each client, for people finding.',
  settings: z.strictObject({
    validator: z.string().min(1),
    secret: z.string().min(1),
    max_clients: z.number().int().positive().default(5000),
  }),
  state: z.object({
    clients: z.record(z.string(), client),
    client_count: z.number(),
    last_post_at: z.number().nullable(),
    observations_received: z.number(),
  }),
  initialState: () => ({ clients: {}, client_count: 0, last_post_at: null, observations_received: 0 }),
  methods: {
    clients: {
      description: 'Lists the known clients, most recently seen first.',
      args: z.object({}),
      run: (ctx) => Object.values(ctx.state.clients).sort((a, b) => b.seen_at - a.seen_at),
    },
    forget: {
      description: 'Removes one client by MAC address.',
      args: z.strictObject({ mac: z.string().min(1) }),
      run: (ctx, { mac }) => {
        const key = mac.toLowerCase();
        if (!Object.hasOwn(ctx.state.clients, key)) return { forgotten: false };
        const { [key]: _gone, ...rest } = ctx.state.clients;
        ctx.setState({ clients: rest, client_count: Object.keys(rest).length });
        return { forgotten: true };
      },
    },
  },
  webhooks: {
    scanning: {
      description: 'The Scanning API endpoint: GET answers the validator, POST takes observations.',
      run: (ctx, request): WebhookResponse => {
        if (request.method === 'GET')
          return { status: 200, headers: { 'content-type': 'text/plain' }, body: ctx.settings.validator };
        if (request.method !== 'POST') {
          return {
            status: 405,
            headers: { allow: 'GET, POST' },
            body: { error: 'method_not_allowed', message: `scanning accepts GET and POST, not ${request.method}` },
          };
        }

        let body = request.body;
        if (body === undefined) {
          try {
            body = JSON.parse(request.rawBody.toString('utf8'));
          } catch {
            return invalid('body is not JSON');
          }
        }
        // The secret is checked before the shape so an outsider learns nothing about what we expect.
        const secret = typeof body === 'object' && body !== null ? (body as { secret?: unknown }).secret : undefined;
        if (typeof secret !== 'string' || !secretsEqual(secret, ctx.settings.secret)) {
          return { status: 403, body: { error: 'invalid_secret', message: 'the secret in the body is missing or wrong' } };
        }

        const parsed = parsePayload(body as { version?: unknown });
        if (typeof parsed === 'string') return invalid(parsed);

        const seen = normalise(parsed, ctx.clock.now());
        const clients = { ...ctx.state.clients };
        for (const c of seen) {
          // Several APs report the same client, not always in order: keep the newest sighting.
          const known = clients[c.mac];
          if (!known || known.seen_at <= c.seen_at) clients[c.mac] = c;
        }
        const kept = keepNewest(clients, ctx.settings.max_clients);
        ctx.setState({
          clients: kept,
          client_count: Object.keys(kept).length,
          last_post_at: ctx.clock.now(),
          observations_received: ctx.state.observations_received + seen.length,
        });
        return { status: 200, body: { received: seen.length } };
      },
    },
  },
});

function invalid(message: string): WebhookResponse {
  return { status: 400, body: { error: 'invalid_payload', message } };
}

/** Picks the schema by the major version alone, as Meraki asks: 2.1 reads as 2, 3.4 as 3. */
function parsePayload(body: { version?: unknown }): Payload | string {
  const major = majorVersion(body.version);
  if (major === 2) {
    const parsed = v2.safeParse(body);
    return parsed.success ? { major, body: parsed.data } : issues(parsed.error);
  }
  if (major === 3) {
    const parsed = v3.safeParse(body);
    return parsed.success ? { major, body: parsed.data } : issues(parsed.error);
  }
  return `version: ${unsupported(body.version)}; this receiver reads Scanning API versions 2.x and 3.x`;
}

function unsupported(version: unknown): string {
  if (version === undefined) return 'is missing';
  if (typeof version === 'string' || typeof version === 'number') return `${JSON.stringify(version)} is not supported`;
  return 'must be a string such as "3.0"';
}

/** "2.1" → 2, 3 → 3; undefined when the value is not a dotted version number. */
function majorVersion(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  const match = typeof text === 'string' ? /^(\d+)(?:\.\d+)*$/.exec(text.trim()) : null;
  return match ? Number(match[1]) : undefined;
}

function issues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
}

/** One Client per observation, v2 and v3 alike; `now` stands in when Meraki gives no time. */
function normalise(payload: Payload, now: number): Client[] {
  return payload.major === 2 ? fromV2(payload.body, now) : fromV3(payload.body, now);
}

function fromV2({ data }: z.output<typeof v2>, now: number): Client[] {
  return data.observations.map((o) => {
    // seenEpoch is in seconds.
    const epoch = number(o.seenEpoch);
    return {
      ...common(o),
      rssi: number(o.rssi),
      seen_at: epoch !== null ? epoch * 1000 : time(o.seenTime, now),
      ap_mac: data.apMac ?? null,
      lat: number(o.location?.lat),
      lng: number(o.location?.lng),
      x: number(o.location?.x?.[0]),
      y: number(o.location?.y?.[0]),
      floors: data.apFloors ?? [],
    };
  });
}

function fromV3({ data }: z.output<typeof v3>, now: number): Client[] {
  return data.observations.map((o) => {
    const place = latest(o.locations ?? []);
    // Without a latestRecord, the AP that heard the client loudest stands in for the nearest.
    const loudest = strongest(place?.rssiRecords ?? []);
    const floor = place?.floorPlanName ?? place?.floorPlan?.name;
    return {
      ...common(o),
      rssi: number(o.latestRecord?.nearestApRssi) ?? loudest?.rssi ?? null,
      seen_at: time(o.latestRecord?.time ?? place?.time, now),
      ap_mac: o.latestRecord?.nearestApMac ?? place?.nearestApMac ?? loudest?.apMac ?? null,
      lat: number(place?.lat),
      lng: number(place?.lng),
      x: number(place?.x ?? place?.floorPlan?.x),
      y: number(place?.y ?? place?.floorPlan?.y),
      floors: floor ? [floor] : [],
    };
  });
}

type Common = { clientMac: string; ipv4?: string | null; ssid?: string | null; manufacturer?: string | null; os?: string | null };

function common(o: Common) {
  return {
    // Lower case so `forget` and repeated sightings match however the MAC was typed.
    mac: o.clientMac.toLowerCase(),
    // v2 writes "hostname/address" (or "/address"); v3 writes the address alone.
    ipv4: o.ipv4?.slice(o.ipv4.lastIndexOf('/') + 1) || null,
    ssid: o.ssid ?? null,
    manufacturer: o.manufacturer ?? null,
    os: o.os ?? null,
  };
}

function strongest(records: NonNullable<Place['rssiRecords']>): { apMac: string | null; rssi: number } | undefined {
  let best: { apMac: string | null; rssi: number } | undefined;
  for (const r of records) {
    const rssi = number(r.rssi);
    if (rssi !== null && (!best || rssi > best.rssi)) best = { apMac: r.apMac ?? null, rssi };
  }
  return best;
}

function latest<T extends { time?: string | null }>(locations: T[]): T | undefined {
  return locations.reduce<T | undefined>((best, l) => (!best || time(l.time, 0) >= time(best.time, 0) ? l : best), undefined);
}

function time(iso: string | null | undefined, fallback: number): number {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? ms : fallback;
}

function number(value: number | string | null | undefined): number | null {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

/** Bounds state size: beyond `max`, the clients seen longest ago go first. */
function keepNewest(clients: Record<string, Client>, max: number): Record<string, Client> {
  const all = Object.values(clients);
  if (all.length <= max) return clients;
  all.sort((a, b) => b.seen_at - a.seen_at);
  return Object.fromEntries(all.slice(0, max).map((c) => [c.mac, c]));
}
