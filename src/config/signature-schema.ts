// A trigger's `signature:`: one schema per provider scheme, chosen by `scheme`, so each scheme
// accepts its own keys only (`header` for hmac, `tolerance` where a timestamp is signed) and a
// mistake is reported against the scheme that was written, not as a union's "invalid input".
import { z } from 'zod';
import { durationSchema } from './duration.js';
import { describeIssues } from './schema-issues.js';
import { keysAt } from './schema-walk.js';

/** How old (or how far ahead) a signed timestamp may be: the providers' own 5 minutes. */
export const DEFAULT_TOLERANCE_MS = 300_000;

/** The provider's signing secret, usually `${ENV_VAR}`; during a rotation a list, any of which passes. */
const secretSchema = z.union([z.string().min(1), z.array(z.string().min(1)).min(1).max(5)]);

// Under a second every request would be stale by the time it is read: refuse it as a typo.
const toleranceSchema = durationSchema.pipe(
  z.number().min(1000, 'a tolerance under 1s refuses nearly every request; the providers use 5m'),
);

// Node gives header names in lower case; the config may be written as the provider documents it.
const headerName = (missing: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? missing : undefined) })
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'write a header name such as X-Shopify-Hmac-Sha256: letters, digits and "-"')
    .transform((name) => name.toLowerCase());

const hmacSchema = z
  .strictObject({
    scheme: z.literal('hmac'),
    secret: secretSchema,
    /** The header that carries the signature. */
    header: headerName('hmac needs header: the header that carries the signature, such as X-Shopify-Hmac-Sha256'),
    algorithm: z.enum(['sha256', 'sha1', 'sha512']).default('sha256'),
    encoding: z.enum(['hex', 'base64']).default('hex'),
    /** Text before the signature in the header, such as `sha256=`. */
    prefix: z.string().min(1).optional(),
    /** The header with a Unix timestamp (seconds); then `${timestamp}.${body}` is what is signed. */
    timestamp_header: headerName('').optional(),
    tolerance: toleranceSchema.optional(),
  })
  .superRefine((hmac, ctx) => {
    if (hmac.tolerance !== undefined && hmac.timestamp_header === undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['tolerance'],
        message: 'tolerance applies to a signed timestamp: give timestamp_header too, or leave tolerance out',
      });
  })
  .transform(({ tolerance, ...hmac }) => ({ ...hmac, tolerance: tolerance ?? DEFAULT_TOLERANCE_MS }));

/** The schemes, keyed like `scheme:`; a new provider is one more entry (and one file in src/inbound/signatures). */
export const signatureSchemas = {
  'standard-webhooks': z.strictObject({
    scheme: z.literal('standard-webhooks'),
    secret: secretSchema,
    tolerance: toleranceSchema.default(DEFAULT_TOLERANCE_MS),
  }),
  github: z.strictObject({ scheme: z.literal('github'), secret: secretSchema }),
  stripe: z.strictObject({
    scheme: z.literal('stripe'),
    secret: secretSchema,
    tolerance: toleranceSchema.default(DEFAULT_TOLERANCE_MS),
  }),
  slack: z.strictObject({
    scheme: z.literal('slack'),
    secret: secretSchema,
    tolerance: toleranceSchema.default(DEFAULT_TOLERANCE_MS),
  }),
  hmac: hmacSchema,
} as const;

export type SignatureSchemeName = keyof typeof signatureSchemas;
export type SignatureConfigOf<K extends SignatureSchemeName> = z.output<(typeof signatureSchemas)[K]>;
export type SignatureConfig = { [K in SignatureSchemeName]: SignatureConfigOf<K> }[SignatureSchemeName];

const SCHEMES = Object.keys(signatureSchemas) as SignatureSchemeName[];

/** The schemes whose schema has `key` (for "header is for scheme hmac"). */
function schemesWith(key: string): SignatureSchemeName[] {
  return SCHEMES.filter((scheme) => keysAt(signatureSchemas[scheme], []).includes(key));
}

export const signatureSchema = z.unknown().transform((value, ctx): SignatureConfig => {
  const scheme = value && typeof value === 'object' ? (value as { scheme?: unknown }).scheme : undefined;
  if (typeof scheme !== 'string' || !Object.hasOwn(signatureSchemas, scheme)) {
    const given = typeof scheme === 'string' ? `"${scheme}" is not a scheme; ` : '';
    ctx.addIssue({ code: 'custom', path: ['scheme'], message: `${given}scheme must be one of: ${SCHEMES.join(', ')}` });
    return z.NEVER;
  }
  const schema = signatureSchemas[scheme as SignatureSchemeName];
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  for (const { message, path, code } of describeIssues(parsed.error.issues, schema)) {
    const key = String(path[0]);
    const owners = code === 'unrecognized_keys' && path.length === 1 ? schemesWith(key) : [];
    ctx.addIssue({
      code: 'custom',
      path,
      message: owners.length > 0 ? `${key} is for scheme ${owners.join(', ')}; ${scheme} does not take it` : message,
    });
  }
  return z.NEVER;
});
