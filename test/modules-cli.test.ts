// `switchboard modules`: each module as its node last reported it, read from the store:
// running or failed with why, settings with marked and secret-looking fields redacted; the
// node said not live once the engine stops.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { defineDriver, secret, z } from '../src/drivers/api.js';
import { runCli } from './support/run-cli.js';
import { brokenDriver } from './support/test-drivers.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

const lock = defineDriver({
  name: 'lock',
  module: 'Lock',
  description: 'A door lock with a pre-shared key.',
  settings: z.object({ host: z.string(), psk: secret(z.string()), api_token: z.string().optional() }),
  state: z.object({}),
  initialState: () => ({}),
  methods: {},
});

const site = `
systems:
  - id: sys-a
    modules:
      - { driver: lock, settings: { host: 10.0.0.7, psk: hunter2-psk, api_token: tok-123 } }
      - { driver: broken }
`;

let t: TestEngine | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

const modules = async (engine: TestEngine, json = false) => {
  const result = await runCli(['modules', '--config', engine.configDir, '--data', engine.dataDir, ...(json ? ['--json'] : [])]);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return result.stdout;
};

describe('switchboard modules', () => {
  it('shows each module running or failed with why, its settings with secrets redacted, then its node not live', async () => {
    t = await startTestEngine({ files: { 'site.yaml': site }, extraDrivers: [lock, brokenDriver] });
    await t.engine.store.commit([]); // the heartbeat written once the modules started has committed
    const lines = (await modules(t, true))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        system: 'sys-a',
        module: 'Lock_1',
        driver: 'lock',
        status: 'running',
        error: null,
        settings: { host: '10.0.0.7', psk: '[redacted]', api_token: '[redacted]' },
        node_live: true,
      }),
      expect.objectContaining({ module: 'Broken_1', status: 'failed', error: 'cannot reach 10.0.0.9:4352', node_live: true }),
    ]);
    const text = await modules(t);
    expect(text).toContain('sys-a/Broken_1  broken  failed  on node_');
    expect(text).toContain('  error     cannot reach 10.0.0.9:4352');
    expect(text).not.toContain('hunter2');
    await t.stop();
    expect(await modules(t)).toMatch(/sys-a\/Lock_1 {2}lock {2}running {2}on node_\w+, not live \(as of /);
  });

  it('shows a device module offline with why, and the commands its link holds', async () => {
    // A port nothing listens on: the projector's link cannot connect and keeps trying.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    t = await startTestEngine({
      files: {
        'site.yaml': `
systems:
  - id: sys-b
    modules:
      - { driver: pjlink, settings: { host: 127.0.0.1, port: ${port}, password: JBMIAProjectorLink } }
`,
      },
    });
    const projector = t.engine.modules.find('sys-b', 'Projector_1')!;
    await expect.poll(() => projector.connectionError).toContain('ECONNREFUSED');
    const waiting = projector.call('power', { state: true }).catch(() => undefined);
    // The next heartbeat (every 5 s of real time) carries it.
    await expect
      .poll(async () => JSON.parse((await modules(t!, true)).trim()) as Record<string, unknown>, { timeout: 15_000 })
      .toMatchObject({
        module: 'Projector_1',
        status: 'running',
        connection: 'offline',
        error: expect.stringContaining('ECONNREFUSED'),
        queue_depth: 1,
        settings: { host: '127.0.0.1', port, password: '[redacted]' },
      });
    await t.stop();
    await waiting;
  });
});
