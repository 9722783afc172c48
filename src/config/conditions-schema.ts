// The zod schemas of trigger conditions: schedules (cron with seconds and a time zone,
// or one-shot `at` times) and comparisons of module state.
import { z } from 'zod';
import { cronProblems } from './cron-fields.js';
import { keyedUnion } from './keyed-union.js';

const STATE_PATH = /^[A-Za-z][A-Za-z0-9]*_\d+(\.[A-Za-z0-9_-]+)+$/;

export type Operand =
  { kind: 'state'; path: string; address: string; key: string; rest: string[] } | { kind: 'constant'; value: unknown };

/** `Display_1.power` reads module state; anything else (or `{ value: … }`) is a constant. */
const operandSchema = z.unknown().transform((value, ctx): Operand => {
  if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 1 && 'value' in value) {
    return { kind: 'constant', value: (value as { value: unknown }).value };
  }
  if (typeof value === 'string' && STATE_PATH.test(value)) {
    const [address, key, ...rest] = value.split('.');
    return { kind: 'state', path: value, address: address!, key: key!, rest };
  }
  if (value === undefined) {
    ctx.addIssue({ code: 'custom', message: 'give a module state path such as Display_1.power, or a constant' });
    return z.NEVER;
  }
  return { kind: 'constant', value };
});

export const COMPARE_OPERATORS = [
  'equal',
  'not_equal',
  'greater_than',
  'greater_than_or_equal',
  'less_than',
  'less_than_or_equal',
  'and',
  'or',
  'exclusive_or',
] as const;
export type CompareOperator = (typeof COMPARE_OPERATORS)[number];

export const compareConditionSchema = z.strictObject({
  compare: z.strictObject({ left: operandSchema, op: z.enum(COMPARE_OPERATORS), right: operandSchema }),
});

const timezoneSchema = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a time zone; use an IANA name such as Australia/Sydney or UTC' },
);

export const scheduleConditionSchema = z.strictObject({
  // Six fields with seconds ("0 */5 * * * *" is every five minutes) or five without.
  schedule: z.string().superRefine((expression, ctx) => {
    for (const message of cronProblems(expression)) ctx.addIssue({ code: 'custom', message });
  }),
  timezone: timezoneSchema.optional(),
});

const isoWithOffset = z.iso.datetime({
  offset: true,
  error: 'write a time in ISO 8601 with its offset, such as 2026-12-24T17:00:00+11:00',
});

export const atConditionSchema = z.strictObject({
  at: z
    .union([isoWithOffset, z.array(isoWithOffset).min(1)])
    .transform((at) => (Array.isArray(at) ? at : [at]).map((t) => Date.parse(t))),
});

export const conditionSchemas = {
  compare: compareConditionSchema,
  schedule: scheduleConditionSchema,
  at: atConditionSchema,
} as const;

export const conditionSchema = keyedUnion(conditionSchemas, 'a condition');
export type ConditionConfig = z.output<typeof conditionSchema>;
