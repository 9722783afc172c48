// What identifies a config and its parts across reloads: canonical JSON (keys sorted, so
// the order the YAML wrote them in does not matter) and a short SHA-256 of the whole.
import { hash } from 'node:crypto';
import { configure } from 'safe-stable-stringify';
import type { Config } from './schema.js';

// Throws on what JSON cannot hold rather than dropping it: a config is plain data.
const stringify = configure({ deterministic: true, bigint: false, circularValue: Error, strict: true });

/** The same text for the same value, whatever order its keys were written in. */
export function canonicalJson(value: unknown): string {
  return stringify(value) ?? 'undefined';
}

/** A generation's name in logs and /readyz: 12 hex digits of the SHA-256 of the config's canonical JSON. */
export function configHash(config: Config): string {
  return hash('sha256', canonicalJson(config), 'hex').slice(0, 12);
}
