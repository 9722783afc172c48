// The `switchboard` command line: start, check, migrate, urls, log, and the outbound side:
// events, subscriptions, deliveries, redeliver, recover, receive.
import { ConfigInvalid, formatProblem } from '../config/problems.js';
import { check } from './commands/check.js';
import { deliveries } from './commands/deliveries.js';
import { drivers } from './commands/drivers.js';
import { events } from './commands/events.js';
import { log } from './commands/log.js';
import { migrate } from './commands/migrate.js';
import { receive } from './commands/receive.js';
import { recover } from './commands/recover.js';
import { redeliver } from './commands/redeliver.js';
import { runs } from './commands/runs.js';
import { start } from './commands/start.js';
import { subscriptions } from './commands/subscriptions.js';
import { urls } from './commands/urls.js';
import { parse, UsageError, type CliOptions } from './options.js';

/** Each command gets the options and the positionals after its name. */
const COMMANDS: Record<string, (values: CliOptions, positionals: readonly string[]) => Promise<number>> = {
  start,
  check,
  migrate,
  urls,
  drivers,
  log,
  runs,
  events,
  subscriptions,
  deliveries,
  redeliver,
  recover,
  receive,
};

const USAGE = `usage: switchboard <command> [options]

commands:
  start          run the engine            [--config DIR] [--port N] [--host H] [--data DIR]
  check          validate a config directory without starting
  migrate        create or update the database schema
  urls           print every trigger instance's URL, secret included  [--base URL]
  drivers        list the drivers: module names, methods and their arguments, webhooks, events  [--json]
  log            list recorded requests, newest first  [--instance ID] [--outcome O] [--limit N] [--json]
  runs           list runs of fired triggers, newest first  [--instance ID] [--status pending|succeeded|failed]
                 [--limit N] [--json] [--actions]

outbound webhooks:
  events         list the event types subscriptions can ask for  [--json]
  subscriptions  list subscriptions, signing secrets included; --enable ID re-enables a disabled one
  deliveries     list deliveries, newest first  [--subscription ID] [--status pending|succeeded|failed]
                 [--type TYPE] [--limit N] [--json] [--attempts]
  redeliver      queue one delivery again: redeliver DELIVERY_ID
  recover        queue again the failed deliveries created since a time: --since 2h | 2026-11-25T10:00:00Z
  receive        a local receiver that checks signatures and prints events (for integrators)
                 --port P --secret whsec_... [--status N] [--fail N] [--host H]

--config defaults to $SWITCHBOARD_CONFIG or ./config; --data overrides the config's data_dir`;

export async function main(argv: string[]): Promise<void> {
  process.exitCode = await run(argv);
  // `start` and `receive` resolve after a clean shutdown; nothing else should keep the process up.
  if (argv[0] === 'start' || argv[0] === 'receive') process.exit(process.exitCode);
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
    return await handler(values, positionals.slice(1));
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
