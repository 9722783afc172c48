// A union of object schemas told apart by which key is present (`call:`, `emit:`,
// `schedule:`…), with the chosen schema's own error messages instead of zod's union noise.
import { z } from 'zod';
import { describeIssues } from './schema-issues.js';

export function keyedUnion<const Schemas extends Record<string, z.ZodType>>(schemas: Schemas, noun: string) {
  type Kind = keyof Schemas & string;
  type Parsed = { [K in Kind]: z.output<Schemas[K]> & { kind: K } }[Kind];
  const kinds = Object.keys(schemas) as Kind[];
  return z.unknown().transform((value, ctx): Parsed => {
    const kind = value && typeof value === 'object' ? kinds.find((k) => k in value) : undefined;
    if (!kind) {
      ctx.addIssue({ code: 'custom', message: `${noun} needs one of: ${kinds.join(', ')}` });
      return z.NEVER;
    }
    const parsed = schemas[kind]!.safeParse(value);
    if (!parsed.success) {
      // Re-raised as custom issues, an unknown key would lose its name: each is raised at its own path.
      for (const { message, path } of describeIssues(parsed.error.issues, schemas[kind]!))
        ctx.addIssue({ code: 'custom', message, path });
      return z.NEVER;
    }
    return { ...(parsed.data as object), kind } as Parsed;
  });
}
