// What a trigger keys a request by beyond its instance: the sender's idempotency key, the
// value a debounce window or a rate limit is kept per. Each is a template over the request
// (`{{ headers.webhook-id }}`); the config check reads their expressions like an action's.
import { z } from 'zod';
import { durationSchema } from './duration.js';

/** Where well-known senders put their delivery id. Never the body unless the provider puts the id only there (Stripe). */
export const IDEMPOTENCY_PRESETS = {
  /** Standard Webhooks senders (Svix, our own outbound): the same webhook-id on every attempt. */
  'standard-webhooks': '{{ headers.webhook-id }}',
  /** GitHub's X-GitHub-Delivery, the same on a "Redeliver". */
  github: '{{ headers.x-github-delivery }}',
  /** Stripe's event id (`evt_…`), the same on every retry of an event. */
  stripe: '{{ body.id }}',
} as const;
export type IdempotencyPreset = keyof typeof IDEMPOTENCY_PRESETS;
const PRESETS = Object.keys(IDEMPOTENCY_PRESETS) as [IdempotencyPreset, ...IdempotencyPreset[]];

export const DEFAULT_IDEMPOTENCY_WINDOW_MS = 86_400_000;
/** A key is kept this long at most: senders retry for up to three days (Stripe), GitHub redelivers for three. */
const LONGEST_WINDOW_MS = 30 * 86_400_000;

export const keyTemplateSchema = z
  .string()
  .min(1)
  .refine((text) => text.includes('{{'), {
    message: 'write a template that reads the request, such as "{{ headers.webhook-id }}" or "{{ body.camera }}"',
  });

const windowSchema = durationSchema.pipe(
  z.number().min(1_000, 'an idempotency window is at least 1s').max(LONGEST_WINDOW_MS, 'an idempotency window is at most 30d'),
);

/** `idempotency: github`, or `{ key: "{{ headers.x-request-id }}", window: 24h }`, or `{ preset: stripe, window: 72h }`. */
export const idempotencySchema = z
  .union([
    z.enum(PRESETS, { error: `name a preset (${PRESETS.join(', ')}) or give { key, window }` }),
    z.strictObject({
      key: keyTemplateSchema.optional(),
      preset: z.enum(PRESETS).optional(),
      window: windowSchema.default(DEFAULT_IDEMPOTENCY_WINDOW_MS),
    }),
  ])
  .transform((given, ctx) => {
    if (typeof given === 'string') return { key: IDEMPOTENCY_PRESETS[given], window: DEFAULT_IDEMPOTENCY_WINDOW_MS };
    if ((given.key === undefined) === (given.preset === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'give either key (a template) or preset, not both and not neither' });
      return z.NEVER;
    }
    return { key: given.key ?? IDEMPOTENCY_PRESETS[given.preset!], window: given.window };
  });

export const rateLimitSchema = z.strictObject({
  requests: z.number().int().min(1).max(1_000_000),
  per: durationSchema.pipe(
    z.number().min(1_000, 'a rate limit is per 1s or longer').max(86_400_000, 'a rate limit is per 1d or shorter'),
  ),
});

/** How a request is answered: at once once committed (202), or with the run's result. */
export const respondSchema = z.enum(['accepted', 'wait']);
export const DEFAULT_RESPOND_TIMEOUT_MS = 10_000;
export const respondTimeoutSchema = durationSchema.pipe(
  z
    .number()
    .min(100, 'respond_timeout is at least 100ms')
    .max(120_000, 'respond_timeout is at most 2m: longer, senders give up first'),
);
