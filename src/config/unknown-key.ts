// What to say about a key the schema does not know: the nearest known key when it looks like
// a typo, and our name for PlaceOS's when someone brings a PlaceOS trigger over.
import { nearestName } from './nearest-name.js';
import { shortList } from './short-list.js';

/** PlaceOS's names for our keys, with how ours is written. */
const PLACEOS_NAMES: Readonly<Record<string, { ours: string; how: string }>> = {
  debounce_period: { ours: 'debounce', how: 'write 30s or 500ms' },
  supported_methods: { ours: 'methods', how: 'a list such as [GET, POST]' },
  exec_enabled: { ours: 'exec', how: 'true or false, on the instance' },
  enable_webhook: { ours: 'webhook', how: 'true or false, on the trigger' },
};

/** The key `key` was likely meant to be: ours for a PlaceOS name, else the nearest of `known`. */
export function meantKey(key: string, known: readonly string[]): string | undefined {
  return Object.hasOwn(PLACEOS_NAMES, key) ? PLACEOS_NAMES[key]!.ours : nearestName(key, known);
}

/** What the key is likely meant to be, as advice: `did you mean "debounce"?`. */
export function keyAdvice(key: string, known: readonly string[]): string | undefined {
  const placeos = Object.hasOwn(PLACEOS_NAMES, key) ? PLACEOS_NAMES[key] : undefined;
  if (placeos) return `PlaceOS calls it ${key}, here it is ${placeos.ours} (${placeos.how})`;
  const near = nearestName(key, known);
  return near === undefined ? undefined : `did you mean "${near}"?`;
}

/**
 * `Unrecognized key: "debounse"; did you mean "debounce"?` (`known`: the keys allowed where it is).
 * With `listKnown`, a key with no likely meaning is followed by the known ones (for a driver's
 * few settings or arguments; the config's own keys are many places and long lists).
 */
export function unknownKeyMessage(key: string, known: readonly string[], listKnown = false): string {
  const advice = keyAdvice(key, known) ?? (listKnown ? `known keys: ${shortList(known)}` : undefined);
  return advice === undefined ? `Unrecognized key: "${key}"` : `Unrecognized key: "${key}"; ${advice}`;
}
