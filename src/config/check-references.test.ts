// The "known …" list in reference problems: whole for a small config, the first 20 for a big one,
// so that many wrong references in a big config make problems of a bounded length.
import { describe, expect, it } from 'vitest';
import { checkReferences } from './check-references.js';
import { formatPath, type ConfigPath } from './problems.js';
import { configSchema } from './schema.js';

const locate = (path: ConfigPath, message: string) => ({ file: 'site.yaml', line: 1, col: 1, path: formatPath(path), message });

function problems(triggerCount: number, instances: { trigger: string }[]) {
  const config = configSchema.parse({
    systems: [{ id: 'sys' }],
    triggers: Array.from({ length: triggerCount }, (_, i) => ({ id: `t${i}` })),
    instances: instances.map((instance, i) => ({ id: `i${i}`, system: 'sys', ...instance })),
  });
  return checkReferences(config, locate).map((p) => `${p.path}  ${p.message}`);
}

describe('known ids in reference problems', () => {
  it('are all listed when there are at most 20', () => {
    const known = Array.from({ length: 20 }, (_, i) => `t${i}`).join(', ');
    expect(problems(20, [{ trigger: 'nope' }])).toEqual([
      `instances[0].trigger  trigger "nope" does not exist; known triggers: ${known}`,
    ]);
  });

  it('are the first 20 and a count of the others when there are more', () => {
    const first = Array.from({ length: 20 }, (_, i) => `t${i}`).join(', ');
    expect(problems(25_000, [{ trigger: 'nope' }])).toEqual([
      `instances[0].trigger  trigger "nope" does not exist; known triggers: ${first} and 24980 more`,
    ]);
  });

  it('keep 20,000 wrong references among 20,000 triggers to problems of their own length', () => {
    const found = problems(
      20_000,
      Array.from({ length: 20_000 }, (_, i) => ({ trigger: `gone-${i}` })),
    );
    expect(found).toHaveLength(20_000);
    expect(Math.max(...found.map((p) => p.length))).toBeLessThan(300);
  });
});
