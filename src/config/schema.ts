// The zod schemas of the YAML config: the single source of config types (z.infer).
import { z } from 'zod';
import { adminSchema } from './admin-schema.js';
import { byteSizeSchema } from './byte-size.js';
import { conditionSchema } from './conditions-schema.js';
import { driverPackageSchema } from './driver-package-schema.js';
import { durationSchema } from './duration.js';
import { keyedUnion } from './keyed-union.js';
import {
  DEFAULT_RESPOND_TIMEOUT_MS,
  idempotencySchema,
  keyTemplateSchema,
  rateLimitSchema,
  respondSchema,
  respondTimeoutSchema,
} from './request-keys-schema.js';
import { misfireFields, resolveMisfire } from './misfire-schema.js';
import { addressListSchema, serverSchema } from './server-schema.js';
import { signatureSchema } from './signature-schema.js';

export { serverSchema } from './server-schema.js';

const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'ids start with a letter or digit and use only letters, digits, ".", "-" and "_"');

const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export const zoneSchema = z.strictObject({
  id: idSchema,
  name: z.string().optional(),
  parent: idSchema.optional(),
});

export const moduleSchema = z.strictObject({
  driver: z.string(),
  /** Overrides the driver's module name used in addresses (`Display` in `Display_1`). */
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9]*$/, 'module names are letters and digits, starting with a letter')
    .optional(),
  settings: z.record(z.string(), z.unknown()).default({}),
});

export const systemSchema = z.strictObject({
  id: idSchema,
  name: z.string().optional(),
  zones: z.array(idSchema).default([]),
  modules: z.array(moduleSchema).default([]),
});

const moduleMethodSchema = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9]*_\d+\.[A-Za-z_][A-Za-z0-9_]*$/,
    'write the target as Module_index.method, for example Display_1.power',
  );

export const callActionSchema = z.strictObject({
  call: moduleMethodSchema,
  args: z.record(z.string(), z.unknown()).default({}),
  /** The system whose module is called; defaults to the system the action runs for. */
  system: idSchema.optional(),
  continue_on_error: z.boolean().default(false),
});

const eventTypeSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, 'event types are dotted lower-case names such as room.ready');

export const emitActionSchema = z.strictObject({
  emit: eventTypeSchema,
  /** Templated like call args. */
  data: z.record(z.string(), z.unknown()).default({}),
  continue_on_error: z.boolean().default(false),
});

export const delayActionSchema = z.strictObject({
  /** Waits inside the run before the next action. */
  delay: durationSchema,
  continue_on_error: z.boolean().default(false),
});

const addressList = z
  .union([z.string().min(3), z.array(z.string().min(3)).min(1)])
  .transform((a) => (Array.isArray(a) ? a : [a]));

export const emailActionSchema = z.strictObject({
  /** Subject and bodies are templated like call args; the server comes from `mail:`. */
  email: z.strictObject({
    to: addressList,
    cc: addressList.optional(),
    subject: z.string().min(1),
    text: z.string().optional(),
    html: z.string().optional(),
  }),
  continue_on_error: z.boolean().default(false),
});

/** A header a `respond` action sets: a name and a value without line breaks or control characters. */
const responseHeadersSchema = z
  .record(
    z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'a header name is letters, digits and "-", such as x-result'),
    z.string().regex(/^[\t -~\x80-\xff]*$/, 'a header value may not hold line breaks or control characters'),
  )
  .superRefine((headers, ctx) => {
    // The framing is the server's: a respond action must not say how long the body is or how it is sent.
    const framing = ['content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade'];
    for (const name of Object.keys(headers))
      if (framing.includes(name.toLowerCase()))
        ctx.addIssue({ code: 'custom', path: [name], message: `${name} is set by the server; leave it out` });
  })
  .default({});

export const respondActionSchema = z.strictObject({
  /** The answer to a request waiting for its run (`respond: wait`); status, headers and body are templated like call args. */
  respond: z.strictObject({
    /** A status from 200 to 599, or a template rendering to one (`"{{ body.status }}"`). */
    status: z.union([z.number().int().min(200).max(599), keyTemplateSchema]).default(200),
    headers: responseHeadersSchema,
    body: z.unknown().optional(),
  }),
  continue_on_error: z.boolean().default(false),
});

/** The action kinds, keyed by the field that names them; a new kind is one more entry. */
export const actionSchemas = {
  call: callActionSchema,
  emit: emitActionSchema,
  delay: delayActionSchema,
  email: emailActionSchema,
  respond: respondActionSchema,
} as const;
export type ActionKind = keyof typeof actionSchemas;
export type ActionConfig = z.output<typeof actionSchema>;

export const actionSchema = keyedUnion(actionSchemas, 'an action');

export const triggerSchema = z
  .strictObject({
    id: idSchema,
    name: z.string().optional(),
    description: z.string().optional(),
    /** Default: true for a trigger without conditions, false for one with them. */
    webhook: z.boolean().optional(),
    conditions: z.array(conditionSchema).default([]),
    ...misfireFields,
    /** What a fire does while a run of the same instance is active (as in Home Assistant). */
    mode: z.enum(['single', 'queued', 'parallel']).default('parallel'),
    /** The most runs queued (queued) or at once (parallel); default 10 queued, unbounded parallel. */
    max: z.number().int().min(1).optional(),
    methods: z
      .array(
        z
          .string()
          .transform((m) => m.toUpperCase())
          .pipe(z.enum(HTTP_METHODS)),
      )
      .min(1)
      .default(['POST']),
    debounce: durationSchema.default(0),
    debounce_mode: z.enum(['hold', 'throttle']).default('hold'),
    /** One debounce window per value of this template (one camera's motion does not swallow another's). */
    debounce_key: keyTemplateSchema.optional(),
    /** A sender's delivery id: a request whose key was seen inside the window fires nothing and names the first run. */
    idempotency: idempotencySchema.optional(),
    /** At most `requests` per `per` to each instance (per `rate_key` value when given); more answer 429. */
    rate_limit: rateLimitSchema.optional(),
    /** A template over headers, query or method (the body is not read yet) keeping one limit per value. */
    rate_key: keyTemplateSchema.optional(),
    /** `wait`: the answer waits up to respond_timeout for the run and carries its result. */
    respond: respondSchema.default('accepted'),
    respond_timeout: respondTimeoutSchema.default(DEFAULT_RESPOND_TIMEOUT_MS),
    /** Callers allowed by address (IPs and CIDRs, such as a provider's published ranges); others get the 404 of a wrong secret. */
    allow_from: addressListSchema.optional(),
    /** More fields the request log keeps redacted for this trigger (personal data, say): `body.observations.*.clientMac`. */
    redact: z
      .array(
        z
          .string()
          .regex(
            /^(body|query|headers)(\.([A-Za-z0-9_-]+|\*))+$/,
            'write a path such as body.observations.*.clientMac: body, query or headers, then keys or * for any',
          ),
      )
      .default([]),
    /** Whether the request log keeps this trigger's bodies: none for high-rate senders (the size is still logged). */
    log_body: z.enum(['full', 'none']).default('full'),
    signature: signatureSchema.optional(),
    actions: z.array(actionSchema).default([]),
  })
  .refine((t) => t.debounce_key === undefined || t.debounce > 0, {
    message: 'debounce_key keeps one debounce window per value: give debounce too (such as debounce: 30s)',
    path: ['debounce_key'],
  })
  .refine((t) => t.rate_key === undefined || t.rate_limit !== undefined, {
    message: 'rate_key keeps one rate limit per value: give rate_limit too (such as { requests: 10, per: 1m })',
    path: ['rate_key'],
  })
  .transform((trigger, ctx) => ({
    ...trigger,
    webhook: trigger.webhook ?? trigger.conditions.length === 0,
    misfire: resolveMisfire(trigger, ctx),
  }));

export const instanceSchema = z.strictObject({
  id: idSchema,
  trigger: idSchema,
  system: idSchema,
  enabled: z.boolean().default(true),
  exec: z.boolean().default(false),
  /** Usually `${ENV_VAR}`; when absent the engine generates one and `switchboard urls` shows it. */
  secret: z.string().min(16, 'a secret needs at least 16 characters; leave it out to have one generated').optional(),
});

const WHSEC = /^whsec_[A-Za-z0-9+/]+={0,2}$/;
const signingSecretSchema = z
  .string()
  .regex(
    WHSEC,
    'a signing secret is whsec_ followed by base64, as Standard Webhooks defines; leave it out to have one generated',
  );

export const subscriptionSchema = z
  .strictObject({
    id: idSchema,
    url: z.url({ protocol: /^https?$/, error: 'the url must be an http or https URL' }),
    /** Where it listens: a zone (and everything below it), a system, or neither for everything. */
    zone: idSchema.optional(),
    system: idSchema.optional(),
    /** Exact event types or globs such as `meeting.*`; `*` is every type. */
    events: z
      .array(
        z
          .string()
          .regex(
            /^(\*|[a-z][a-z0-9_]*(\.([a-z][a-z0-9_]*|\*))*)$/,
            'write an event type such as trigger.fired, or a glob such as meeting.*',
          ),
      )
      .min(1)
      .default(['*']),
    /** `${ENV}` with a whsec_ secret; several during a rotation, all of which sign. */
    secret: z.union([signingSecretSchema, z.array(signingSecretSchema).min(1)]).optional(),
    /** Which answers count as delivered: any 2xx, or 200 only. */
    success: z.enum(['2xx', '200']).default('2xx'),
    timeout: durationSchema.default(10_000),
    /** The wait before each attempt: the first is usually 0 (immediately). */
    retry: z.array(durationSchema).min(1).max(20).default([0, 60_000, 600_000, 3_600_000, 86_400_000]),
    mode: z.enum(['durable', 'fire-and-forget']).default('durable'),
    batch: z.strictObject({ max_events: z.number().int().min(1).max(1000), max_wait: durationSchema }).optional(),
    /** Run when an attempt is answered with a status of 300 or more. */
    on_failure: z.array(actionSchema).default([]),
    /** Run once when the last attempt of a delivery fails. */
    on_exhausted: z.array(actionSchema).default([]),
    /** Disabled after this many deliveries in a row are exhausted. */
    disable_after: z.number().int().min(1).default(5),
    /** Sent on every attempt, e.g. `authorization: "Bearer ${TOKEN}"`; never logged or stored. */
    headers: z
      .record(
        z.string(),
        z.string().regex(/^[\t -~\x80-\xff]*$/, 'a header value may not hold line breaks or control characters'),
      )
      .superRefine((headers, ctx) => {
        const ours = ['content-type', 'content-length', 'transfer-encoding', 'host', 'connection'];
        const seen = new Set<string>();
        for (const name of Object.keys(headers)) {
          const lower = name.toLowerCase();
          const issue = (message: string) => ctx.addIssue({ code: 'custom', path: [name], message });
          if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
            issue(`"${name}" is not a header name; use letters, digits and "-", such as x-api-key`);
          else if (ours.includes(lower) || ['webhook-id', 'webhook-timestamp', 'webhook-signature'].includes(lower))
            issue(
              `${name} is set by Switchboard (the Standard Webhooks headers, content-type and the framing are ours); use another header`,
            );
          else if (seen.has(lower)) issue(`${name} is given twice (header names ignore case); give it once`);
          seen.add(lower);
        }
      })
      .default({}),
    /** A client certificate for mTLS: PEM files relative to the config directory; `ca` trusts a private CA instead of the public roots. */
    tls: z.strictObject({ cert: z.string().min(1), key: z.string().min(1), ca: z.string().min(1).optional() }).optional(),
  })
  .refine((s) => !(s.zone && s.system), { message: 'give zone or system, not both', path: ['system'] })
  .refine((s) => !s.tls || /^https:/i.test(s.url), {
    message: 'a client certificate is presented over TLS only; give an https url or leave tls out',
    path: ['tls'],
  });

export const outboundSchema = z
  .strictObject({
    /** Hosts, IPs or CIDRs deliveries may reach although they are private or loopback. */
    allow: z.array(z.string().min(1)).default([]),
    /** Attempts in flight at once. */
    concurrency: z.number().int().min(1).max(256).default(8),
    /** How much of a receiver's answer is kept with each attempt. */
    response_limit: byteSizeSchema.default(1024),
    /** Every delivery goes out through this HTTP proxy (CONNECT for https targets, absolute-form for http). */
    proxy: z
      .url({ protocol: /^https?$/, error: 'the proxy must be an http or https URL, such as http://proxy.internal:3128' })
      .optional(),
  })
  .prefault({});

export const mailSchema = z
  .strictObject({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(587),
    /** true: TLS from the first byte (port 465); false: STARTTLS when the server offers it. */
    secure: z.boolean().default(false),
    /** Refuse to send unless the connection is upgraded to TLS. */
    require_tls: z.boolean().default(false),
    user: z.string().optional(),
    password: z.string().optional(),
    from: z.string().min(3),
    timeout: durationSchema.default(30_000),
  })
  .optional();

export const configSchema = z.strictObject({
  server: serverSchema,
  zones: z.array(zoneSchema).default([]),
  systems: z.array(systemSchema).default([]),
  triggers: z.array(triggerSchema).default([]),
  instances: z.array(instanceSchema).default([]),
  subscriptions: z.array(subscriptionSchema).default([]),
  outbound: outboundSchema,
  mail: mailSchema,
  admin: adminSchema,
  // Optional rather than defaulting to []: a config without packages keeps the hash it had.
  drivers: z.array(driverPackageSchema).optional(),
});

export type Config = z.infer<typeof configSchema>;
export type ServerConfig = Config['server'];
export type ZoneConfig = z.infer<typeof zoneSchema>;
export type SystemConfig = z.infer<typeof systemSchema>;
export type ModuleConfig = z.infer<typeof moduleSchema>;
export type TriggerConfig = z.infer<typeof triggerSchema>;
export type InstanceConfig = z.infer<typeof instanceSchema>;
export type CallAction = Extract<ActionConfig, { kind: 'call' }>;
export type EmitAction = Extract<ActionConfig, { kind: 'emit' }>;
export type DelayAction = Extract<ActionConfig, { kind: 'delay' }>;
export type EmailAction = Extract<ActionConfig, { kind: 'email' }>;
export type RespondAction = Extract<ActionConfig, { kind: 'respond' }>;
export type MailConfig = NonNullable<Config['mail']>;
export type SubscriptionConfig = z.infer<typeof subscriptionSchema>;
export type OutboundConfig = Config['outbound'];

/** Top-level keys whose values are lists of items (with ids, or driver packages), merged across files. */
export const LIST_SECTIONS = ['zones', 'systems', 'triggers', 'instances', 'subscriptions', 'drivers'] as const;
