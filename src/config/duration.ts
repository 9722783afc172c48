// Durations in config carry units (`500ms`, `5s`, `2m`, `1h`, `1d`) so nobody guesses whether 5 means seconds.
import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** A zod schema that accepts `5s`-style text (or 0) and yields milliseconds. */
export const durationSchema = z.union([z.literal(0), z.string()]).transform((value, ctx) => {
  if (value === 0) return 0;
  const ms = parseDuration(value);
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `"${value}" is not a duration; write a number with a unit: 500ms, 5s, 2m, 1h or 1d`,
    });
    return z.NEVER;
  }
  return ms;
});
