// Sizes in config carry units (`512kb`, `1mb`) or are plain byte counts.
import { z } from 'zod';

const UNIT_BYTES = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 } as const;
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)$/i;

export const byteSizeSchema = z.union([z.number().int().nonnegative(), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const match = SIZE.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a size; write bytes or a number with a unit: 512kb, 1mb` });
    return z.NEVER;
  }
  return Math.round(Number(match[1]) * UNIT_BYTES[match[2]!.toLowerCase() as keyof typeof UNIT_BYTES]);
});
