// Reads a zod schema's structure: the keys it allows at a path of the value it parses (for "did
// you mean" on an unknown key) and the item schema of a list (to parse a list item by item).
import type { z } from 'zod';
import type { ConfigPath } from './problems.js';

/** The parts of zod's schema definitions this walk reads. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: readonly z.ZodType[];
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  getter?: () => z.ZodType;
}

const defOf = (schema: z.ZodType): Def => schema._zod.def as unknown as Def;

/** The object keys the schema allows at `path` (none when it is not an object there, or allows any key). */
export function keysAt(schema: z.ZodType, path: ConfigPath): string[] {
  const keys = new Set<string>();
  collect(schema, path, 0, keys, 0);
  return [...keys];
}

// Wrappers and lazy schemas can nest; past this depth a schema is treated as unknown.
const MAX_STEPS = 64;

function collect(schema: z.ZodType, path: ConfigPath, at: number, keys: Set<string>, steps: number): void {
  if (steps > MAX_STEPS) return;
  const def = defOf(schema);
  const next = (inner: z.ZodType | undefined, advance: number) => {
    if (inner) collect(inner, path, at + advance, keys, steps + 1);
  };
  switch (def.type) {
    case 'object':
      if (at === path.length) for (const key of Object.keys(def.shape ?? {})) keys.add(key);
      else if (def.shape && Object.hasOwn(def.shape, String(path[at]))) next(def.shape[String(path[at])], 1);
      return;
    case 'array':
      if (at < path.length && typeof path[at] === 'number') next(def.element, 1);
      return;
    case 'record':
      if (at < path.length) next(def.valueType, 1);
      return;
    case 'union':
      for (const option of def.options ?? []) next(option, 0);
      return;
    case 'intersection':
      next(def.left, 0);
      next(def.right, 0);
      return;
    case 'pipe':
      next(def.in, 0);
      next(def.out, 0);
      return;
    case 'lazy':
      next(def.getter?.(), 0);
      return;
    default:
      // default, prefault, optional, nullable, catch, readonly, nonoptional… wrap one schema.
      next(def.innerType, 0);
  }
}

/** The schema of a list's items, through default, optional and the like; undefined when not a list. */
export function listElement(schema: z.ZodType): z.ZodType | undefined {
  let def = defOf(schema);
  for (let steps = 0; def.type !== 'array' && def.innerType && steps < MAX_STEPS; steps++) def = defOf(def.innerType);
  return def.type === 'array' ? def.element : undefined;
}
