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
export const durationSchema = z.union([z.number(), z.string()]).transform((value, ctx) => {
  if (value === 0) return 0;
  const ms = typeof value === 'string' ? parseDuration(value) : undefined;
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: durationAdvice(value) });
    return z.NEVER;
  }
  return ms;
});

/** How to write `value` as a duration: a bare number (or text of one) gets the unit it lacks. */
function durationAdvice(value: number | string): string {
  const number = typeof value === 'number' ? value : /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : undefined;
  if (number !== undefined && Number.isFinite(number) && number > 0)
    return `write ${number}s or ${Math.round(number * 1000)}ms: durations carry a unit`;
  const shown = typeof value === 'number' ? String(value) : `"${value}"`;
  return `${shown} is not a duration; write a number with a unit: 500ms, 5s, 2m, 1h or 1d`;
}
