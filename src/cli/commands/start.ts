// `switchboard start`: runs the engine until SIGTERM or SIGINT, then drains and exits.
import { startEngine } from '../../engine.js';
import { createLogger } from '../../logger.js';
import { configDirOf, intOption, type CliOptions } from '../options.js';

export async function start(values: CliOptions): Promise<number> {
  const log = createLogger();
  // Handlers go in before anything is announced: a supervisor may signal as soon as it
  // reads "listening", and a signal with no handler kills the process without draining.
  let signalled: (signal: string) => void = () => {};
  const stopRequested = new Promise<string>((resolve) => (signalled = resolve));
  process.once('SIGTERM', () => signalled('SIGTERM'));
  process.once('SIGINT', () => signalled('SIGINT'));

  const engine = await startEngine({ configDir: configDirOf(values), port: intOption(values, 'port'), host: values.host, dataDir: values.data, log });
  console.error(`switchboard listening on ${engine.url}; \`switchboard urls\` prints the trigger URLs`);
  const signal = await stopRequested;
  log.info({ signal }, 'shutdown requested');
  try {
    await engine.stop();
    return 0;
  } catch (error) {
    log.error({ reason: (error as Error).message }, 'shutdown failed');
    return 1;
  }
}
