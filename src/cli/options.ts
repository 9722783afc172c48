// Command-line options shared by the commands, parsed with node:util's parseArgs.
import { parseArgs } from 'node:util';

export const OPTIONS = {
  config: { type: 'string', short: 'c' },
  data: { type: 'string' },
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  base: { type: 'string' },
  instance: { type: 'string' },
  outcome: { type: 'string' },
  limit: { type: 'string' },
  json: { type: 'boolean' },
  subscription: { type: 'string' },
  status: { type: 'string' },
  type: { type: 'string' },
  since: { type: 'string' },
  secret: { type: 'string', multiple: true },
  fail: { type: 'string' },
  enable: { type: 'string' },
  attempts: { type: 'boolean' },
  retarget: { type: 'string' },
  actions: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type CliOptions = ReturnType<typeof parse>['values'];

export function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

export function configDirOf(values: CliOptions): string {
  return values.config ?? process.env.SWITCHBOARD_CONFIG ?? 'config';
}

export class UsageError extends Error {}

export function intOption(values: CliOptions, name: 'port' | 'limit' | 'status' | 'fail'): number | undefined {
  const text = values[name];
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new UsageError(`--${name} must be a whole number, not "${text}"`);
  return Number(text);
}
