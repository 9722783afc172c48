// What a reload cannot change while the engine runs: the server section (the listener, the
// store, limits, retention), mail (its connection), admin (its listener and tokens), the outbound section (the delivery
// worker's concurrency, proxy and address guard) and the driver packages. A change to any of them is a problem like
// any other, at the place it was made, naming what to do instead.
import { canonicalJson } from '../config/config-hash.js';
import type { Locate } from '../config/load-config.js';
import type { Problem } from '../config/problems.js';
import type { Config } from '../config/schema.js';

const RESTART = 'takes effect only at a restart (switchboard stop, then start); the running engine keeps';

/** One problem per changed setting of a section a reload cannot change; none when only live parts changed. */
export function restartOnlyProblems(running: Config, next: Config, locate: Locate): Problem[] {
  return [
    ...changedKeys('server', running.server, next.server, locate),
    ...changedKeys('outbound', running.outbound, next.outbound, locate),
    ...changedWhole('mail', running.mail, next.mail, locate),
    ...changedWhole('admin', running.admin, next.admin, locate),
    // Driver code is loaded once, at the start (a module cannot be unloaded).
    ...changedWhole('drivers', running.drivers, next.drivers, locate),
  ];
}

function changedKeys<T extends object>(section: string, running: T, next: T, locate: Locate): Problem[] {
  const keys = new Set([...Object.keys(running), ...Object.keys(next)]);
  return [...keys]
    .filter((key) => canonicalJson(running[key as keyof T]) !== canonicalJson(next[key as keyof T]))
    .map((key) => locate([section, key], `changed: ${section}.${key} ${RESTART} the value it started with`));
}

function changedWhole(section: string, running: unknown, next: unknown, locate: Locate): Problem[] {
  if (canonicalJson(running) === canonicalJson(next)) return [];
  return [locate([section], `changed: the ${section} section ${RESTART} the one it started with`)];
}
