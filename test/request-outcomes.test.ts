// Keeps `switchboard log --outcome`'s list of outcomes in step with the engine: every code an
// error type or a check gives a refused request, and every reason a request is not fired.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OUTCOMES } from '../src/cli/commands/log.js';
import { REFUSAL_CODES } from '../src/errors.js';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The string literals the source gives as a request's code where it refuses or does not fire one. */
function codesInSource(): Set<string> {
  const patterns = [
    /super\(\s*'([a-z_]+)'/g, // an EngineError subclass's code
    /new (?:BadRequest|EngineError)\(\s*'([a-z_]+)'/g,
    /\bbad\(\s*'([a-z_]+)'/g, // exec-target's BadRequest helper
    /\bcode: '([a-z_]+)'/g, // an outcome made in place (exec, fired, request_timeout)
    /reason: '(conditions|debounced|busy)'/g,
  ];
  const codes = new Set<string>();
  for (const file of [...sources(join(SRC, 'inbound')), ...sources(join(SRC, 'http')), join(SRC, 'errors.ts')]) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) codes.add(match[1]!);
  }
  for (const reason of /\(reason: ('[a-z]+'(?: \| '[a-z]+')*)/
    .exec(readFileSync(join(SRC, 'inbound/notify-route.ts'), 'utf8'))?.[1]
    ?.match(/[a-z]+/g) ?? [])
    codes.add(reason);
  // Answered by the connection gate before a request is read, so never logged.
  codes.delete('too_many_connections');
  return codes;
}

describe('the outcomes `switchboard log --outcome` accepts', () => {
  it('include every code the engine refuses a request with, and every reason it does not fire one', () => {
    const found = codesInSource();
    expect(found.size).toBeGreaterThan(15);
    expect([...found].filter((code) => !(OUTCOMES as readonly string[]).includes(code))).toEqual([]);
  });

  it('are the accepted and not-fired outcomes followed by the refusal codes, each once', () => {
    expect(OUTCOMES.slice(0, 7)).toEqual(['fired', 'run_failed', 'duplicate', 'debounced', 'conditions', 'busy', 'exec']);
    expect(OUTCOMES.slice(7)).toEqual([...REFUSAL_CODES]);
    expect(new Set(OUTCOMES).size).toBe(OUTCOMES.length);
  });
});
