// Holds `switchboard --help` to the options each command declares: every option a command
// takes is on its lines of the usage text, and nothing else is.
import { describe, expect, it } from 'vitest';
import { COMMAND_NAMES, loadCommand, USAGE } from '../src/cli/main.js';

/** A command's lines of the usage text: its own line and the indented ones under it. */
function usageOf(name: string): string {
  const lines = USAGE.split('\n');
  const first = lines.findIndex((line) => line.startsWith(`  ${name} `));
  if (first === -1) return '';
  const rest = lines.slice(first + 1).findIndex((line) => !/^ {5,}\S/.test(line));
  return lines.slice(first, rest === -1 ? undefined : first + 1 + rest).join('\n');
}

describe('switchboard --help', () => {
  it.each(COMMAND_NAMES)('lists exactly the options %s takes', async (name) => {
    const usage = usageOf(name);
    expect(usage, `no line for ${name} in the usage`).not.toBe('');
    const command = await loadCommand(name)!;
    const declared = Object.keys(command.options).filter((option) => option !== 'help');
    const shown = [...new Set([...usage.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1]!))];
    expect(shown.sort()).toEqual(declared.sort());
  });

  it('has a line for every command and no other', () => {
    const named = [...USAGE.matchAll(/^ {2}([a-z-]+) /gm)].map((m) => m[1]);
    expect(named.sort()).toEqual([...COMMAND_NAMES].sort());
  });
});
