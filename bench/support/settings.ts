// The benches' settings: numeric BENCH_* env settings (checked), BENCH_LOG_LEVEL and the --json flag.

/** The engine's pino level. */
export const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'silent';

/** --json: also print every number as JSON. */
export const JSON_OUTPUT = process.argv.includes('--json');

/**
 * BENCH_GUARDS=1: the fire trigger runs with an idempotency key (each request's own, from its
 * body: `[<id>]`, which autocannon replaces with a fresh id per request) and a rate limit it
 * never reaches, so every request pays for both checks and fires.
 */
export const GUARDS = process.env.BENCH_GUARDS === '1';

/** A fire body with `"id":"[<id>]"` first when the guards are on. */
export function withGuardId(body: string): string {
  return GUARDS ? `{"id":"[<id>]",${body.slice(1)}` : body;
}

/** The env setting `name` as a number, `fallback` when unset or empty; throws `${expected}, got "…"` when `accept` refuses it. */
function numberSetting(name: string, fallback: number, accept: (n: number) => boolean, expected: string): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!accept(n)) throw new Error(`${expected}, got "${text}"`);
  return n;
}

/** A finite number above 0 (seconds, say); `expected` is the start of the error message. */
export function positiveSetting(name: string, fallback: number, expected = `${name}: expected a positive number`): number {
  return numberSetting(name, fallback, (n) => Number.isFinite(n) && n > 0, expected);
}

/** An integer of at least `min`; `expected` is the start of the error message. */
export function integerSetting(
  name: string,
  fallback: number,
  min: number,
  expected = `${name}: expected an integer >= ${min}`,
): number {
  return numberSetting(name, fallback, (n) => Number.isInteger(n) && n >= min, expected);
}
