// The `server:` section: where the engine listens and the limits that keep a caller from
// holding it (sizes, nesting, timeouts, connections), behind a proxy or with its own TLS.
import { z } from 'zod';
import { addressEntryProblem } from '../address-list.js';
import { byteSizeSchema } from './byte-size.js';
import { durationSchema } from './duration.js';

/** IP addresses and CIDR ranges. */
export const addressListSchema = z.array(
  z.string().superRefine((entry, ctx) => {
    const problem = addressEntryProblem(entry);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

const PROXY_PRESETS = ['loopback', 'linklocal', 'uniquelocal'] as const;

/** Which proxies' X-Forwarded-For to believe: a number of hops, or their addresses (and presets). */
const trustProxySchema = z.union([
  z.literal(false),
  z.number().int().min(1).max(16),
  z.array(
    z.string().superRefine((entry, ctx) => {
      if ((PROXY_PRESETS as readonly string[]).includes(entry)) return;
      const problem = addressEntryProblem(entry);
      if (problem) ctx.addIssue({ code: 'custom', message: `${problem}, or one of ${PROXY_PRESETS.join(', ')}` });
    }),
  ),
]);

/** Where the data directory is when the config does not say: beside the config directory. */
export const DEFAULT_DATA_DIR = '../data';

export const serverSchema = z
  .strictObject({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(8080),
    /** The base URL third parties reach the engine at; `urls` prints trigger URLs under it. */
    public_url: z.url().optional(),
    /** Where the SQLite file lives, relative to the config directory (with PostgreSQL: the node's lock and address files). */
    data_dir: z.string().default(DEFAULT_DATA_DIR),
    /** `sqlite` (the default: a file in data_dir) or a PostgreSQL URL, `postgres://user:password@host:5432/db`. */
    database: z
      .string()
      .refine((value) => value === 'sqlite' || /^postgres(ql)?:\/\/./.test(value), {
        // Never the value itself: a URL may carry a password.
        message: 'must be sqlite or a PostgreSQL URL (postgres://user:password@host:5432/database)',
      })
      .default('sqlite'),
    body_limit: byteSizeSchema.default(1024 * 1024),
    /** How deep a JSON body may nest (objects and arrays); deeper is refused with 400. */
    json_depth: z.number().int().min(1).max(1000).default(64),
    /** How much of each request body `switchboard log` shows (the request log keeps it whole). */
    log_body_limit: byteSizeSchema.default(4096),
    /** `normal` survives a killed process; `full` also survives power loss, at a cost per commit. */
    durability: z.enum(['normal', 'full']).default('normal'),
    /** The most the database file may grow to (0: no cap); past it writes fail and requests are answered 503. */
    max_database_size: byteSizeSchema.default(0),
    /** How long a write waits for a database lock held by another process before the request is answered 503. */
    lock_wait: durationSchema.default(5_000),
    /** How long SIGTERM waits for requests and runs in flight before closing anyway. */
    shutdown_timeout: durationSchema.default(10_000),
    /** How long the request log, finished runs and finished deliveries are kept; 0 keeps them forever. */
    retention: durationSchema.default(30 * 86_400_000),
    /** How many of each instance's newest failed runs (their traces, and their requests) outlive the retention; 0 keeps none. */
    keep_failed_runs: z.number().int().min(0).max(1000).default(10),
    /** The whole request, body included, must arrive within this (else 408). */
    request_timeout: durationSchema.default(30_000),
    /** The request's headers must arrive within this (else 408); default 10 s, or request_timeout when shorter. */
    headers_timeout: durationSchema.optional(),
    /** How long an idle keep-alive connection stays open. */
    keep_alive_timeout: durationSchema.default(5_000),
    /** The most bytes of request line and headers (else 431). */
    max_header_size: byteSizeSchema.default(16 * 1024),
    /** Open connections at once, from everyone (more are answered 503 and closed). */
    max_connections: z.number().int().min(1).default(2048),
    /** Open connections at once from one address (the real client's, behind a trusted proxy). */
    max_connections_per_address: z.number().int().min(1).default(256),
    /** Believe X-Forwarded-For from these proxies (their addresses, or a number of hops) for the client's address. */
    trust_proxy: trustProxySchema.default(false),
    /**
     * Who may read GET /metrics (Prometheus): the caller's address (behind a trusted proxy,
     * the real client's). Loopback and private networks by default; [] turns /metrics off.
     * Others get the 404 of any unknown path.
     */
    metrics_allow_from: addressListSchema.default([
      '127.0.0.0/8',
      '::1',
      '10.0.0.0/8',
      '172.16.0.0/12',
      '192.168.0.0/16',
      'fc00::/7',
    ]),
    /** Serve HTTPS with this certificate and key (PEM files, relative to the config directory). */
    tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1) }).optional(),
  })
  .refine((s) => s.headers_timeout === undefined || s.request_timeout === 0 || s.headers_timeout <= s.request_timeout, {
    message: 'headers_timeout must not be longer than request_timeout',
    path: ['headers_timeout'],
  })
  .transform((s) => ({
    ...s,
    headers_timeout: s.headers_timeout ?? (s.request_timeout === 0 ? 10_000 : Math.min(10_000, s.request_timeout)),
  }))
  .prefault({});

export type ServerConfig = z.infer<typeof serverSchema>;
