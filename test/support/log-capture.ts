// The engine's logger with its lines kept in memory, to assert on (and grep for secrets).
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logger.js';

export function captureLogs(level = 'trace'): { log: Logger; lines: string[]; text(): string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const log = createLogger({ level, destination: sink });
  return { log, lines, text: () => lines.join('\n') };
}
