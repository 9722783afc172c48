// The `admin:` section: the operator's listener (the admin API, its live stream, the web
// page, and /healthz, /readyz, /metrics), apart from the trigger URLs' listener. Off unless
// the section is there. Each bearer token has a name (what the log shows, never the token)
// and a scope: read < operate (enable/disable, redeliver, recover, replay, reload) < admin
// (also sees trigger URLs with their secrets).
import { z } from 'zod';

export const ADMIN_SCOPES = ['read', 'operate', 'admin'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];

const tokenSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a token name is letters, digits, ".", "-" and "_" (the log shows it)'),
  /** Usually `${ENV_VAR}`. */
  token: z
    .string()
    .min(24, 'an admin token needs at least 24 characters (openssl rand -base64 32 makes one)')
    .regex(/^[\x21-\x7e]+$/, 'an admin token is printable ASCII without spaces'),
  scope: z.enum(ADMIN_SCOPES),
});

export const adminSchema = z
  .strictObject({
    host: z.string().default('127.0.0.1'),
    port: z.number().int().min(0).max(65535).default(9091),
    tokens: z.array(tokenSchema).default([]),
  })
  .superRefine((admin, ctx) => {
    const names = new Set<string>();
    const tokens = new Set<string>();
    admin.tokens.forEach((t, i) => {
      if (names.has(t.name))
        ctx.addIssue({
          code: 'custom',
          path: ['tokens', i, 'name'],
          message: `the name ${t.name} is given twice; names say whose call the log shows`,
        });
      // Never the token itself in the message.
      if (tokens.has(t.token))
        ctx.addIssue({
          code: 'custom',
          path: ['tokens', i, 'token'],
          message: 'this token is the same as an earlier one; give each its own',
        });
      names.add(t.name);
      tokens.add(t.token);
    });
  })
  .optional();

export type AdminConfig = NonNullable<z.infer<typeof adminSchema>>;
export type AdminToken = AdminConfig['tokens'][number];
