// The `switchboard` command line: finds the command named first, loads only that command's
// module (a read-only command never loads the engine), parses the options it declares and
// runs it. start, check, reload, migrate, backup, urls, instances, overrides, drivers, log, runs, and the outbound
// side: events, subscriptions, deliveries, redeliver, recover, receive.
import { ConfigInvalid, formatProblem } from '../config/problems.js';
import { command, withSubcommands, type Command } from './command.js';
import { UsageError } from './options.js';

/** Each command, loaded when it runs: its module exports the options it takes and its handler. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  start: () => import('./commands/start.js').then((m) => command('start', m.options, m.start)),
  check: () => import('./commands/check.js').then((m) => command('check', m.options, m.check)),
  reload: () => import('./commands/reload.js').then((m) => command('reload', m.options, m.reload)),
  migrate: () => import('./commands/migrate.js').then((m) => command('migrate', m.options, m.migrate)),
  'migrate-store': () => import('./commands/migrate-store.js').then((m) => command('migrate-store', m.options, m.migrateStore)),
  backup: () => import('./commands/backup.js').then((m) => command('backup', m.options, m.backup, { takesArguments: true })),
  urls: () => import('./commands/urls.js').then((m) => command('urls', m.options, m.urls)),
  instances: () => import('./commands/instances.js').then((m) => command('instances', m.options, m.instances)),
  overrides: () => import('./commands/overrides.js').then((m) => command('overrides', m.options, m.overrides)),
  rotate: () => import('./commands/rotate.js').then((m) => command('rotate', m.options, m.rotate, { takesArguments: true })),
  drivers: () =>
    Promise.all([import('./commands/drivers.js'), import('./commands/drivers-new.js')]).then(([list, create]) =>
      withSubcommands(command('drivers', list.options, list.drivers), {
        new: command('drivers new', create.options, create.driversNew, { takesArguments: true }),
      }),
    ),
  log: () => import('./commands/log.js').then((m) => command('log', m.options, m.log)),
  runs: () => import('./commands/runs.js').then((m) => command('runs', m.options, m.runs)),
  nodes: () => import('./commands/nodes.js').then((m) => command('nodes', m.options, m.nodes)),
  modules: () => import('./commands/modules.js').then((m) => command('modules', m.options, m.modules)),
  events: () => import('./commands/events.js').then((m) => command('events', m.options, m.events)),
  subscriptions: () => import('./commands/subscriptions.js').then((m) => command('subscriptions', m.options, m.subscriptions)),
  deliveries: () => import('./commands/deliveries.js').then((m) => command('deliveries', m.options, m.deliveries)),
  redeliver: () =>
    import('./commands/redeliver.js').then((m) => command('redeliver', m.options, m.redeliver, { takesArguments: true })),
  recover: () => import('./commands/recover.js').then((m) => command('recover', m.options, m.recover)),
  receive: () => import('./commands/receive.js').then((m) => command('receive', m.options, m.receive)),
};

export const COMMAND_NAMES = Object.keys(COMMANDS);

/** The command, its options loaded; undefined for a name that is not a command. */
export function loadCommand(name: string): Promise<Command> | undefined {
  return Object.hasOwn(COMMANDS, name) ? COMMANDS[name]!() : undefined;
}

// Each command's line lists every option it takes (test/cli-usage.test.ts holds it to the declarations).
export const USAGE = `usage: switchboard <command> [options]

commands:
  start          run the engine  [--config DIR] [--data DIR] [--port N] [--host H] [--drivers DIR]
  check          validate a config directory without starting; notes deprecated settings and overrides that shadow it
                 [--config DIR] [--data DIR] [--drivers DIR]
  reload         have the running engine reload its config (SIGHUP) and print the outcome, or every
                 problem (exit 1)  [--config DIR] [--data DIR] [--timeout SECONDS]
  migrate        create or update the database schema  [--config DIR] [--data DIR]
  migrate-store  copy the SQLite database into PostgreSQL, counts checked: --to URL
                 [--config DIR] [--data DIR] [--force]
  backup         copy the database to FILE, the engine running or not: backup FILE
                 [--config DIR] [--data DIR] [--force]
  urls           print every trigger instance's URL, secret included  [--config DIR] [--data DIR] [--base URL]
  instances      list trigger instances: enabled, reachable, fired, failed actions
                 [--config DIR] [--data DIR] [--json]; --disable ID / --enable ID store an override
  overrides      list the runtime changes kept on top of the YAML; --clear NAME goes back to the YAML
                 [--config DIR] [--data DIR] [--json] [--clear instance/ID/enabled]
  rotate         a new secret for an instance; the old one passes until the grace ends: rotate INSTANCE
                 [--config DIR] [--data DIR] [--grace 24h]
  drivers        list the drivers: module names, methods and their arguments, webhooks, events
                 and where each came from (a folder, or a package the config's drivers: lists)
                 [--config DIR] [--json] [--drivers DIR]; drivers new NAME [--dir DIR] writes DIR/NAME/driver.ts
                 and a test on the driver test kit (DIR defaults to ./drivers)
  log            list recorded requests, newest first, with why one was refused or not fired
                 [--config DIR] [--data DIR] [--instance ID] [--outcome fired|debounced|exec|not_found|…]
                 [--limit N] [--json]
  runs           list runs of fired triggers, newest first  [--config DIR] [--data DIR] [--instance ID]
                 [--status pending|succeeded|failed] [--limit N] [--json] [--actions]
  nodes          the engine nodes of this database: live, stopped or silent, and the config each serves
                 [--config DIR] [--data DIR] [--json]
  modules        every module as its node last reported it: status, error, settings (secrets redacted)
                 [--config DIR] [--data DIR] [--json]

outbound webhooks:
  events         list the event types subscriptions can ask for  [--config DIR] [--json] [--drivers DIR]
  subscriptions  list subscriptions, signing secrets included; --enable ID re-enables a disabled one
                 [--config DIR] [--data DIR] [--enable ID]
  deliveries     list deliveries, newest first  [--config DIR] [--data DIR] [--subscription ID]
                 [--status pending|succeeded|failed] [--type TYPE] [--limit N] [--json] [--attempts]
                 --retarget SUBSCRIPTION moves a subscription's pending deliveries to its current url
  redeliver      queue one delivery again: redeliver DELIVERY_ID  [--config DIR] [--data DIR]
  recover        queue again the failed deliveries created since a time: --since 2h | 2026-11-25T10:00:00Z
                 [--config DIR] [--data DIR]
  receive        a local receiver that checks signatures and prints events (for integrators)
                 --port P --secret whsec_... [--status N] [--fail N] [--host H]

--config defaults to $SWITCHBOARD_CONFIG or ./config; --data overrides the config's data_dir;
--drivers DIR (several allowed) adds a folder of drivers to the shipped drivers/; every command takes --help`;

export async function main(argv: string[]): Promise<void> {
  process.exitCode = await run(argv);
  // `start` and `receive` resolve after a clean shutdown; nothing else should keep the process up.
  if (argv[0] === 'start' || argv[0] === 'receive') process.exit(process.exitCode);
}

/** Runs one command line and answers its exit code: 0, 1 when it failed, 2 for a usage error. */
export async function run(argv: readonly string[]): Promise<number> {
  try {
    const [name, ...args] = argv;
    if (name === undefined || name === '--help' || name === '-h') {
      console.log(USAGE);
      return name === undefined ? 2 : 0;
    }
    if (name.startsWith('-')) throw new UsageError(`the command comes first: switchboard <command> [options], not "${name}"`);
    const loading = loadCommand(name);
    if (!loading) throw new UsageError(`unknown command "${name}"; commands: ${COMMAND_NAMES.join(', ')}`);
    const parsed = (await loading).parse(args);
    if (parsed.help) {
      console.log(USAGE);
      return 0;
    }
    return await parsed.run();
  } catch (error) {
    if (error instanceof ConfigInvalid) {
      console.error(`config has ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}:`);
      for (const problem of error.problems) console.error(formatProblem(problem));
      return 1;
    }
    console.error(`switchboard: ${(error as Error).message}`);
    if (error instanceof UsageError) {
      console.error('run `switchboard --help` for usage');
      return 2;
    }
    return 1;
  }
}
