// A zod schema as JSON Schema, for the CLI's --json listings.
import { z } from 'zod';

/** The JSON Schema, or null for a schema JSON Schema cannot say. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): unknown {
  try {
    return z.toJSONSchema(schema, { unrepresentable: 'any', io });
  } catch {
    return null;
  }
}
