// A pino logger whose lines are kept in memory, to assert on (and grep for secrets).
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { Logger } from '../../src/logger.js';

export function captureLogs(level = 'trace'): { log: Logger; lines: string[]; text(): string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const log = pino({ level, redact: { paths: ['secret', '*.secret'], censor: '[redacted]' } }, sink);
  return { log, lines, text: () => lines.join('\n') };
}
