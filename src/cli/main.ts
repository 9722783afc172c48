// The `switchboard` command line: start, check, migrate, urls, log.
import { ConfigInvalid, formatProblem } from '../config/problems.js';
import { check } from './commands/check.js';
import { log } from './commands/log.js';
import { migrate } from './commands/migrate.js';
import { start } from './commands/start.js';
import { urls } from './commands/urls.js';
import { parse, UsageError, type CliOptions } from './options.js';

const COMMANDS: Record<string, (values: CliOptions) => Promise<number>> = { start, check, migrate, urls, log };

const USAGE = `usage: switchboard <command> [options]

commands:
  start     run the engine            [--config DIR] [--port N] [--host H] [--data DIR]
  check     validate a config directory without starting
  migrate   create or update the database schema
  urls      print every trigger instance's URL, secret included  [--base URL]
  log       list recorded requests, newest first  [--instance ID] [--outcome O] [--limit N] [--json]

--config defaults to $SWITCHBOARD_CONFIG or ./config`;

export async function main(argv: string[]): Promise<void> {
  process.exitCode = await run(argv);
  // `start` resolves after a clean shutdown; nothing else should keep the process up.
  if (argv[0] === 'start') process.exit(process.exitCode);
}

export async function run(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parse(argv);
    const command = positionals[0];
    if (values.help || !command) {
      console.log(USAGE);
      return command || values.help ? 0 : 2;
    }
    const handler = COMMANDS[command];
    if (!handler) throw new UsageError(`unknown command "${command}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    return await handler(values);
  } catch (error) {
    if (error instanceof ConfigInvalid) {
      console.error(`config has ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}:`);
      for (const problem of error.problems) console.error(formatProblem(problem));
      return 1;
    }
    const message = (error as Error).message;
    console.error(`switchboard: ${message}`);
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error('run `switchboard --help` for usage');
      return 2;
    }
    return 1;
  }
}
