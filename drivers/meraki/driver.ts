// Receives Cisco Meraki Scanning API posts (v2 and v3) through exec and keeps where each client was last seen.
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
// Meraki sends unknown coordinates as null, "NaN" or an empty array; normalised later.
const coordinate = z.union([z.number(), z.string()]).nullish();

const v2 = z.object({
  version: z.literal('2.0'),
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
        seenEpoch: z.number().nullish(),
        ssid: str,
        rssi: z.number().nullish(),
        manufacturer: str,
        os: str,
        location: z
          .object({
            lat: coordinate,
            lng: coordinate,
            unc: coordinate,
            x: z.array(coordinate).nullish(),
            y: z.array(coordinate).nullish(),
          })
          .nullish(),
      }),
    ),
  }),
});

const v3 = z.object({
  version: z.literal('3.0'),
  type: z.enum(['WiFi', 'Bluetooth']),
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
        latestRecord: z.object({ time: str, nearestApMac: str, nearestApRssi: z.number().nullish() }).nullish(),
        locations: z
          .array(z.object({ lat: coordinate, lng: coordinate, x: coordinate, y: coordinate, time: str, floorPlanName: str }))
          .nullish(),
      }),
    ),
  }),
});

const payload = z.discriminatedUnion('version', [v2, v3]);

export const driver = defineDriver({
  name: 'meraki',
  module: 'Meraki',
  description:
    'Receives Meraki Scanning API posts (v2 and v3) and keeps the last known place of each client, for people finding.',
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

        const parsed = payload.safeParse(body);
        if (!parsed.success) {
          return invalid(parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; '));
        }

        const seen = normalise(parsed.data, ctx.clock.now());
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

/** One Client per observation, v2 and v3 alike; `now` stands in when Meraki gives no time. */
function normalise(body: z.output<typeof payload>, now: number): Client[] {
  if (body.version === '2.0') {
    const { apMac, apFloors, observations } = body.data;
    return observations.map((o) => ({
      ...common(o),
      rssi: o.rssi ?? null,
      // seenEpoch is in seconds.
      seen_at: o.seenEpoch != null ? o.seenEpoch * 1000 : time(o.seenTime, now),
      ap_mac: apMac ?? null,
      lat: number(o.location?.lat),
      lng: number(o.location?.lng),
      x: number(o.location?.x?.[0]),
      y: number(o.location?.y?.[0]),
      floors: apFloors ?? [],
    }));
  }
  return body.data.observations.map((o) => {
    const place = latest(o.locations ?? []);
    return {
      ...common(o),
      rssi: o.latestRecord?.nearestApRssi ?? null,
      seen_at: time(o.latestRecord?.time ?? place?.time, now),
      ap_mac: o.latestRecord?.nearestApMac ?? null,
      lat: number(place?.lat),
      lng: number(place?.lng),
      x: number(place?.x),
      y: number(place?.y),
      floors: place?.floorPlanName ? [place.floorPlanName] : [],
    };
  });
}

type Common = { clientMac: string; ipv4?: string | null; ssid?: string | null; manufacturer?: string | null; os?: string | null };

function common(o: Common) {
  return {
    // Lower case so `forget` and repeated sightings match however the MAC was typed.
    mac: o.clientMac.toLowerCase(),
    // Meraki writes addresses as "/10.0.0.12".
    ipv4: o.ipv4 ? o.ipv4.replace(/^\//, '') : null,
    ssid: o.ssid ?? null,
    manufacturer: o.manufacturer ?? null,
    os: o.os ?? null,
  };
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
