// How a command declares the options it takes, and the parsing of its arguments against
// them (node:util's parseArgs): an option the command does not take is a usage error.
import { parseArgs } from 'node:util';

export class UsageError extends Error {}

/** One option as parseArgs declares it, and what its value is called in usage text. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  readonly multiple?: boolean;
  /** The value's name in usage text, such as DIR (a string option without one shows VALUE). */
  readonly value?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

/** What parsing gives for a command's options: a string, a boolean, or a list for a `multiple` one. */
export type OptionValues<O extends OptionSpecs> = {
  -readonly [K in keyof O]?: O[K] extends { multiple: true } ? ValueOf<O[K]>[] : ValueOf<O[K]>;
};
type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean' ? boolean : string;

/** --help, which every command takes. */
export const helpOption = { help: { type: 'boolean', short: 'h' } } as const satisfies OptionSpecs;

/** --config DIR: the config directory (default $SWITCHBOARD_CONFIG, else ./config). */
export const configOption = { config: { type: 'string', short: 'c', value: 'DIR' } } as const satisfies OptionSpecs;

/** --config DIR and --data DIR (overrides the config's data_dir): what a command that opens the store takes. */
export const storeOptions = { ...configOption, data: { type: 'string', value: 'DIR' } } as const satisfies OptionSpecs;
export type StoreValues = OptionValues<typeof storeOptions>;

export const jsonOption = { json: { type: 'boolean' } } as const satisfies OptionSpecs;
export const limitOption = { limit: { type: 'string', value: 'N' } } as const satisfies OptionSpecs;

/** Parses a command's arguments (those after its name) against the options it takes. */
export function parseOptions<O extends OptionSpecs>(
  command: string,
  options: O,
  args: readonly string[],
): { values: OptionValues<O>; positionals: string[] } {
  const declared = Object.fromEntries(Object.entries(options).map(([name, spec]) => [name, forParseArgs(spec)]));
  // A first, lenient pass finds an option the command does not take, to name the ones it does.
  const { tokens } = parseArgs({ args: [...args], options: declared, strict: false, allowPositionals: true, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'option' && !Object.hasOwn(options, token.name))
      throw new UsageError(`${command} does not take ${token.rawName}; it takes ${describeOptions(options)}`);
  }
  try {
    const { values, positionals } = parseArgs({ args: [...args], options: declared, strict: true, allowPositionals: true });
    return { values: values as OptionValues<O>, positionals };
  } catch (error) {
    // A value missing or given to a flag: parseArgs says which option and how.
    throw new UsageError((error as Error).message);
  }
}

/** The spec without `value`, which parseArgs does not know; it refuses keys set to undefined too. */
function forParseArgs({ type, short, multiple }: OptionSpec): { type: 'string' | 'boolean'; short?: string; multiple?: boolean } {
  return { type, ...(short === undefined ? {} : { short }), ...(multiple === undefined ? {} : { multiple }) };
}

/** `--config DIR, --json, --help` */
export function describeOptions(options: OptionSpecs): string {
  const names = Object.entries(options).map(([name, spec]) =>
    spec.type === 'string' ? `--${name} ${spec.value ?? 'VALUE'}` : `--${name}`,
  );
  return names.length === 0 ? 'no options' : names.join(', ');
}

export function configDirOf(values: { config?: string }): string {
  return values.config ?? process.env.SWITCHBOARD_CONFIG ?? 'config';
}

export function intOption<K extends string>(values: { [P in K]?: string }, name: K): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number, not "${text}"`);
  return Number(text);
}

/** The value of a string option that must be one of a list, or a usage error naming the list. */
export function oneOf<T extends string>(name: string, allowed: readonly T[], text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(text))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, not "${text}"`);
  return text as T;
}
