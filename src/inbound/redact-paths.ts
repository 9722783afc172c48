// A trigger's own `redact` paths (`body.observations.*.clientMac`, `headers.x-device-id`):
// values the request log must not keep for that trigger, such as personal data, beyond
// the secret-looking fields the engine always redacts. `*` stands for any key or element.
import { REDACTED } from '../redact.js';

export interface RedactPaths {
  body: readonly string[][];
  query: readonly string[][];
  headers: readonly string[][];
}

export const NO_PATHS: RedactPaths = { body: [], query: [], headers: [] };

export function compileRedactPaths(paths: readonly string[]): RedactPaths {
  if (paths.length === 0) return NO_PATHS;
  const compiled = { body: [] as string[][], query: [] as string[][], headers: [] as string[][] };
  for (const path of paths) {
    const [root, ...rest] = path.split('.');
    compiled[root as keyof RedactPaths].push(root === 'headers' ? rest.map((s) => s.toLowerCase()) : rest);
  }
  return compiled;
}

/** `paths` with these headers redacted as well (names in lower case, as Node gives them). */
export function withHeaders(paths: RedactPaths, names: readonly string[]): RedactPaths {
  if (names.length === 0) return paths;
  return { ...paths, headers: [...paths.headers, ...names.map((name) => [name.toLowerCase()])] };
}

/** Replaces, in place, every value `paths` reach in `value` (a copy the caller owns). */
export function redactPaths(value: unknown, paths: readonly string[][]): void {
  for (const path of paths) redactAt(value, path, 0);
}

/** Whether any of `paths` reaches a value in `value`. */
export function reachesAny(value: unknown, paths: readonly string[][]): boolean {
  return paths.some((path) => reaches(value, path, 0));
}

function reaches(value: unknown, path: readonly string[], at: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const segment = path[at]!;
  const container = value as Record<string, unknown>;
  const keys = segment === '*' ? Object.keys(container) : Object.hasOwn(container, segment) ? [segment] : [];
  return at === path.length - 1 ? keys.length > 0 : keys.some((key) => reaches(container[key], path, at + 1));
}

function redactAt(value: unknown, path: readonly string[], at: number): void {
  if (value === null || typeof value !== 'object') return;
  const segment = path[at]!;
  const last = at === path.length - 1;
  const container = value as Record<string, unknown>;
  const keys = segment === '*' ? Object.keys(container) : Object.hasOwn(container, segment) ? [segment] : [];
  for (const key of keys) {
    if (last) container[key] = REDACTED;
    else redactAt(container[key], path, at + 1);
  }
}
