// `switchboard start`: runs the engine until SIGTERM or SIGINT, then drains and exits;
// SIGHUP reloads the config without a restart (what `switchboard reload` sends).
import { startEngine, type Engine } from '../../engine.js';
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
  // Listened for before the engine starts: unheard, SIGHUP would kill the process.
  let engine: Engine | undefined;
  const onHangup = () => {
    if (engine) void engine.reload();
    else log.warn('SIGHUP while the engine is starting: ignored; send it again once it listens');
  };
  process.on('SIGHUP', onHangup);
  // Every promise of ours has a handler (the linter checks); should one slip through, it is
  // a bug to report, not a reason to drop every request in flight.
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled promise rejection (a bug: please report it); the engine keeps serving');
  });

  engine = await startEngine({
    configDir: configDirOf(values),
    port,
    host: values.host,
    dataDir: values.data,
    log,
    registry,
  }).catch((error: unknown) => {
    stop.dispose();
    process.off('SIGHUP', onHangup);
    throw error;
  });
  console.error(`switchboard listening on ${engine.url}; \`switchboard urls\` prints the trigger URLs`);
  const signal = await stop.received;
  stop.dispose();
  // SIGHUP stays heard while draining (a reload then answers that the engine is stopping).
  log.info({ signal }, 'shutdown requested');
  try {
    await engine.stop();
    return 0;
  } catch (error) {
    log.error({ reason: (error as Error).message }, 'shutdown failed');
    return 1;
  }
}
