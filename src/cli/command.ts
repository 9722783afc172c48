// A command as main.ts runs it: the options its module declares and its handler, joined
// once so the table of commands can hold commands whose options differ.
import { describeOptions, helpOption, parseOptions, UsageError, type OptionSpecs, type OptionValues } from './options.js';

export interface Command {
  /** The options it takes, --help included. */
  readonly options: OptionSpecs;
  /** Checks the arguments after the command's name: whether --help was asked, and the run they ask for. */
  parse(args: readonly string[]): { help: boolean; run(): Promise<number> };
}

export type Handler<O extends OptionSpecs> = (values: OptionValues<O>, positionals: readonly string[]) => Promise<number>;

/** A command of its options and handler; one that takes no arguments (most) refuses any. */
export function command<O extends OptionSpecs>(
  name: string,
  options: O,
  handler: Handler<NoInfer<O>>,
  { takesArguments = false } = {},
): Command {
  const all = { ...options, ...helpOption };
  return {
    options: all,
    parse(args) {
      const { values, positionals } = parseOptions(name, all, args);
      const help = values.help === true;
      if (!help && !takesArguments && positionals.length > 0)
        throw new UsageError(`${name} takes no arguments, not "${positionals[0]}"; it takes ${describeOptions(all)}`);
      return { help, run: () => handler(values as OptionValues<O>, positionals) };
    },
  };
}

/**
 * A command with subcommands named by its first argument (`drivers new NAME`); anything else
 * goes to the command itself. Its options are all of theirs, as its usage lines show them.
 */
export function withSubcommands(main: Command, subcommands: Record<string, Command>): Command {
  const all = Object.assign({}, main.options, ...Object.values(subcommands).map((s) => s.options)) as OptionSpecs;
  return {
    options: all,
    parse(args) {
      const [first, ...rest] = args;
      if (first !== undefined && Object.hasOwn(subcommands, first)) return subcommands[first]!.parse(rest);
      return main.parse(args);
    },
  };
}
