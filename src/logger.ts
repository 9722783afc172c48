// The structured logger (pino). Secrets are never handed to it; the redact list is a
// second line of defence for fields that might carry credentials.
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { DriverLogger } from './drivers/api.js';

export type Logger = PinoLogger;

const REDACT = ['secret', '*.secret', 'headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie'];

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'switchboard' } },
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
