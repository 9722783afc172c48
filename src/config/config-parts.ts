// The config as far as it passed the schema: what the checks after the schema (references,
// drivers, templates) read, so that one refused item does not hide the problems of the others.
import type { z } from 'zod';
import { driverPackageSchema, type DriverPackageConfig } from './driver-package-schema.js';
import {
  instanceSchema,
  serverSchema,
  subscriptionSchema,
  systemSchema,
  triggerSchema,
  zoneSchema,
  type InstanceConfig,
  type ServerConfig,
  type SubscriptionConfig,
  type SystemConfig,
  type TriggerConfig,
  type ZoneConfig,
} from './schema.js';
import { listElement } from './schema-walk.js';

/** Marks an item the schema refused: a field missing from it may be one it refused, not one left out. */
export const REFUSED: unique symbol = Symbol('refused by the schema');

/** An item as far as it passed: each field that did (or its default), and lists item by item (undefined where refused). */
export type Part<T> = { [K in keyof T]?: T[K] extends readonly (infer E)[] ? readonly (E | undefined)[] : T[K] } & {
  readonly [REFUSED]?: true;
};

/** Whether the schema took the item whole: then it is the parsed item. */
export function tookWhole<T>(part: Part<T>): part is T & Part<T> {
  return part[REFUSED] !== true;
}

/** A whole valid Config is one too. */
export interface ConfigParts {
  server?: ServerConfig;
  zones: readonly Part<ZoneConfig>[];
  systems: readonly Part<SystemConfig>[];
  triggers: readonly Part<TriggerConfig>[];
  instances: readonly Part<InstanceConfig>[];
  subscriptions: readonly Part<SubscriptionConfig>[];
  /** The driver packages to load (undefined when none are listed). */
  drivers?: readonly Part<DriverPackageConfig>[];
}

/** Parses each item of the merged config on its own, keeping what passes. */
export function configParts(merged: Readonly<Record<string, unknown>>): ConfigParts {
  const server = serverSchema.safeParse(merged.server);
  return {
    server: server.success ? server.data : undefined,
    zones: itemParts(zoneSchema, zoneSchema.shape, merged.zones),
    systems: itemParts(systemSchema, systemSchema.shape, merged.systems),
    triggers: itemParts(triggerSchema, triggerSchema.in.shape, merged.triggers),
    instances: itemParts(instanceSchema, instanceSchema.shape, merged.instances),
    subscriptions: itemParts(subscriptionSchema, subscriptionSchema.shape, merged.subscriptions),
    drivers: itemParts(driverPackageSchema, driverPackageSchema.shape, merged.drivers),
  };
}

function itemParts<S extends z.ZodType>(
  schema: S,
  shape: Readonly<Record<string, z.ZodType>>,
  list: unknown,
): Part<z.output<S>>[] {
  if (!Array.isArray(list)) return [];
  return list.map((raw) => {
    const parsed = schema.safeParse(raw);
    // The fields are typed by the shape they were parsed with, which zod cannot tell TypeScript here.
    return (parsed.success ? parsed.data : fieldsThatPass(shape, raw)) as Part<z.output<S>>;
  });
}

function fieldsThatPass(shape: Readonly<Record<string, z.ZodType>>, raw: unknown): Record<string | symbol, unknown> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { [REFUSED]: true };
  const part: Record<string | symbol, unknown> = { [REFUSED]: true };
  for (const [key, schema] of Object.entries(shape)) {
    const value = Object.hasOwn(raw, key) ? (raw as Record<string, unknown>)[key] : undefined;
    const parsed = schema.safeParse(value);
    if (parsed.success) part[key] = parsed.data;
    else {
      const element = listElement(schema);
      if (element && Array.isArray(value))
        part[key] = value.map((item) => {
          const one = element.safeParse(item);
          return one.success ? one.data : undefined;
        });
    }
  }
  return part;
}
