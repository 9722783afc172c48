// Reading a zod schema's structure: the keys allowed at a path, through the wrappers and pipes
// the config schemas use, and a list's item schema.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { configSchema, triggerSchema } from './schema.js';
import { keysAt, listElement } from './schema-walk.js';

describe('keysAt', () => {
  it('finds a list item`s keys through default, list and a transforming pipe', () => {
    expect(keysAt(configSchema, ['triggers', 0])).toEqual(Object.keys(triggerSchema.in.shape));
    expect(keysAt(configSchema, [])).toEqual(Object.keys(configSchema.shape));
  });

  it('finds the keys of a section with a prefault and of a nested object', () => {
    expect(keysAt(configSchema, ['server'])).toContain('body_limit');
    expect(keysAt(configSchema, ['subscriptions', 3, 'batch'])).toEqual(['max_events', 'max_wait']);
  });

  it('joins the keys of a union`s options and walks a record`s values', () => {
    const schema = z.record(z.string(), z.union([z.object({ a: z.number() }), z.object({ b: z.number() }).optional()]));
    expect(keysAt(schema, ['anything'])).toEqual(['a', 'b']);
  });

  it('has none where the schema allows any key or is not an object', () => {
    expect(keysAt(z.record(z.string(), z.number()), [])).toEqual([]);
    expect(keysAt(configSchema, ['triggers', 'not-an-index'])).toEqual([]);
    expect(keysAt(configSchema, ['nowhere', 'at', 'all'])).toEqual([]);
  });
});

describe('listElement', () => {
  it('is the item schema of a list behind a default, and undefined for anything else', () => {
    const item = z.string();
    expect(listElement(z.array(item).default([]))).toBe(item);
    expect(listElement(z.string())).toBeUndefined();
  });
});
