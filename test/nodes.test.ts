// This engine as a node of its database, as `switchboard nodes` shows it: live while it runs,
// with the config generation it serves (written again at once after a reload), stopped once
// it stops; and the warning when live nodes serve different configs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const site = (extra = '') => `
systems:
  - { id: sys-a, modules: [{ driver: display }] }
triggers:
  - { id: wake, actions: [{ call: Display_1.power, args: { state: true } }] }
instances:
  - { id: door, trigger: wake, system: sys-a, secret: nodes-secret-0123456789 }
${extra}`;

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const nodes = async (engine: TestEngine) => {
  const result = await runCli(['nodes', '--config', engine.configDir, '--data', engine.dataDir]);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return result.stdout;
};

describe('switchboard nodes', () => {
  it('lists the running engine live with its generation, then stopped', async () => {
    t = await startTestEngine({ files: { 'site.yaml': site() } });
    const hash = t.engine.live.current.hash;
    expect(await nodes(t)).toMatch(
      new RegExp(
        `^node_\\w+ {2}live {5}\\S+ pid ${process.pid} {2}${t.engine.url.replace(/\./g, '\\.')} {2}generation 1 \\(${hash}\\) {2}started \\S+ {2}seen \\d+ s ago\\n$`,
      ),
    );
    writeFileSync(join(t.configDir, 'site.yaml'), site('  - { id: hall, trigger: wake, system: sys-a }'));
    const reloaded = await t.engine.reload();
    expect(reloaded.result).toBe('applied');
    // The reload's heartbeat is queued behind any heartbeat still being written: polled, not raced.
    const engine = t;
    await expect.poll(() => nodes(engine)).toContain(`generation 2 (${reloaded.hash})`);
    await t.stop();
    expect(await nodes(t)).toMatch(/^node_\w+ {2}stopped .* stopped \S+\n$/);
  });

  it('warns when the live nodes serve different configs', async () => {
    t = await startTestEngine({ files: { 'site.yaml': site() } });
    const other = {
      id: 'node_other',
      host: 'host-b',
      pid: 1,
      url: 'http://10.0.0.2:8080',
      generation: 4,
      config_hash: 'ffffffffffff',
    };
    await t.engine.store.commit([
      { kind: 'node_seen', row: { ...other, started_at: Date.now(), seen_at: Date.now(), modules: null } },
    ]);
    const out = await nodes(t);
    expect(out.split('\n').filter((line) => /^node_\w+ {2}live /.test(line))).toHaveLength(2);
    expect(out).toMatch(/warning: the live nodes serve 2 different configs; run `switchboard reload` on each node/);
  });
});
