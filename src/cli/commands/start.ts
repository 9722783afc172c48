// `switchboard start`: runs the engine until SIGTERM or SIGINT, then drains and exits.
import { startEngine } from '../../engine.js';
import { createLogger } from '../../logger.js';
import { driversOption, loadDriverFolders } from '../driver-folders.js';
import { configDirOf, intOption, storeOptions, type OptionValues } from '../options.js';
import { stopSignal } from '../stop-signal.js';

export const options = {
  ...storeOptions,
  port: { type: 'string', short: 'p', value: 'N' },
  host: { type: 'string', value: 'H' },
  ...driversOption,
} as const;

export async function start(values: OptionValues<typeof options>): Promise<number> {
  const port = intOption(values, 'port');
  const registry = await loadDriverFolders(values);
  const log = createLogger();
  const stop = stopSignal();
  // Every promise of ours has a handler (the linter checks); should one slip through, it is
  // a bug to report, not a reason to drop every request in flight.
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (a bug: please report it); the engine keeps serving');
  });

  const engine = await startEngine({
    configDir: configDirOf(values),
    port,
    host: values.host,
    dataDir: values.data,
    log,
    registry,
  }).catch((error: unknown) => {
    stop.dispose();
    throw error;
  });
  console.error(`switchboard listening on ${engine.url}; \`switchboard urls\` prints the trigger URLs`);
  const signal = await stop.received;
  stop.dispose();
  log.info({ signal }, 'shutdown requested');
  try {
    await engine.stop();
    return 0;
  } catch (error) {
    log.error({ reason: (error as Error).message }, 'shutdown failed');
    return 1;
  }
}
