// A driver marks the settings that are secret (`password: secret(z.string())`), whatever
// their names: what an operator is shown of a module's settings (`switchboard modules`)
// replaces their values, and those of secret-looking names, with [redacted].
import type { z } from 'zod';
import { redact, REDACTED } from '../redact.js';

const secretSchemas = new WeakSet<z.ZodType>();

/** Marks a settings field as secret: never shown, logged or stored as it is. */
export function secret<T extends z.ZodType>(schema: T): T {
  secretSchemas.add(schema);
  return schema;
}

/** Whether `schema` (or the schema inside its optional, nullable, default or pipe) was marked secret. */
export function isSecretSetting(schema: z.ZodType | undefined): boolean {
  for (let s = schema; s; s = inner(s)) if (secretSchemas.has(s)) return true;
  return false;
}

/** A module's settings as an operator may see them: marked fields and secret-looking names redacted, at any depth. */
export function shownSettings(schema: z.ZodType, settings: unknown): unknown {
  return redact(markedRedacted(schema, settings, 0));
}

function markedRedacted(schema: z.ZodType, value: unknown, depth: number): unknown {
  if (isSecretSetting(schema)) return REDACTED;
  if (depth > 16 || value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const shape = shapeOf(schema);
  if (!shape) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [key, shape[key] ? markedRedacted(shape[key], item, depth + 1) : item]),
  );
}

interface Def {
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
}

function defOf(schema: z.ZodType): Def {
  return schema._zod.def as unknown as Def;
}

/** The schema an optional, nullable, default or pipe wraps. */
function inner(schema: z.ZodType): z.ZodType | undefined {
  const def = defOf(schema);
  return def.innerType ?? def.in;
}

function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  for (let s: z.ZodType | undefined = schema; s; s = inner(s)) {
    const shape = defOf(s).shape;
    if (shape) return shape;
  }
  return undefined;
}
