// The structured logger (pino). Secrets are never handed to it on purpose; as a second
// line of defence every line's fields go through the engine's one redaction.
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { DriverLogger } from './drivers/api.js';
import { redact } from './redact.js';

export type Logger = PinoLogger;

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  return pino(
    { level, base: { service: 'switchboard' }, formatters: { log: (fields) => redact(fields) as Record<string, unknown> } },
    options.destination ?? pino.destination(1),
  );
}

/** Adapts pino to the driver API's (message, fields) signature, tagged with the module. */
export function driverLogger(log: Logger): DriverLogger {
  return {
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
  };
}
