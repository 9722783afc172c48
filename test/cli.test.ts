// Covers the `switchboard` command line run as a real child process: urls, migrate, log, usage errors and help, without stack traces.
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseFile, openStore } from '../src/store/store.js';
import type { RequestLogRow } from '../src/store/request-log-repo.js';
import { expectNoStackTrace, runCli, type CliResult } from './support/cli-process.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENV_SECRET = 'env-secret-from-the-environment-0123';
const GENERATED = /^[A-Za-z0-9_-]{32}$/;

/** Runs the CLI with MY_SECRET set, as the tests' configs read it. */
const cli = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCli(args, { MY_SECRET: ENV_SECRET, ...env });

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * A copy of config/ in a fresh temporary directory, its data_dir pointing into that directory,
 * plus one instance whose secret comes from ${MY_SECRET}.
 */
function tempConfig(): { root: string; config: string; data: string } {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-cli-'));
  dirs.push(root);
  const config = join(root, 'config');
  const data = join(root, 'data');
  cpSync(join(ROOT, 'config'), config, { recursive: true });
  writeFileSync(
    join(config, 'server.yaml'),
    [
      'server:',
      '  host: 127.0.0.1',
      '  port: 8080',
      `  data_dir: ${JSON.stringify(data)}`,
      '  body_limit: 1mb',
      '  durability: normal',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(config, 'zz-env-secret.yaml'),
    [
      'instances:',
      '  - id: trig-env-secret',
      '    trigger: lobby-motion',
      '    system: sys-lobby',
      '    secret: ${MY_SECRET}',
      '',
    ].join('\n'),
  );
  return { root, config, data };
}

function entry(
  overrides: Partial<RequestLogRow> & Pick<RequestLogRow, 'id' | 'instance_id' | 'received_at' | 'outcome' | 'status'>,
): RequestLogRow {
  return {
    method: 'POST',
    path: `/webhook/${overrides.instance_id}/notify`,
    headers: JSON.stringify({ 'content-type': 'application/json' }),
    body: Buffer.from('{"camera":"lobby-east"}'),
    body_size: 23,
    body_truncated: 0,
    run_id: null,
    latency_ms: 1.5,
    reason: null,
    client_ip: null,
    ...overrides,
  };
}

const T0 = Date.UTC(2026, 0, 1, 9, 0, 0);

/** Three requests recorded in the temp data dir: an older fire, a debounce and the newest fire. */
async function recordRequests(data: string): Promise<void> {
  const store = await openStore(databaseFile(data));
  try {
    const rows = [
      entry({ id: 'req_1', instance_id: 'trig-lobby-alerts', received_at: T0, outcome: 'fired', status: 202, run_id: 'run_1' }),
      entry({ id: 'req_2', instance_id: 'trig-lobby-alerts', received_at: T0 + 1_000, outcome: 'debounced', status: 202 }),
      entry({
        id: 'req_3',
        instance_id: 'trig-room-101-booking',
        received_at: T0 + 2_000,
        outcome: 'fired',
        status: 202,
        run_id: 'run_3',
        method: 'PUT',
      }),
    ];
    for (const row of rows) await store.commit([{ kind: 'request', row }]);
  } finally {
    await store.close();
  }
}

describe('switchboard urls', () => {
  it('prints one line per instance with its full URL and flags', async () => {
    const { config, data } = tempConfig();
    const result = await cli(['urls', '--config', config]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const all = lines(result.stdout).map((l) => l.split('\t'));
    // An exec instance also gets one path-form line per webhook method of its system's modules.
    const execLines = all.filter((r) => r[2]?.startsWith('(exec '));
    expect(execLines.map((r) => [r[0], r[2]])).toEqual([['trig-lobby-meraki', '(exec Meraki_1.scanning)']]);
    expect(execLines[0]![1]).toMatch(
      /^http:\/\/127\.0\.0\.1:8080\/webhook\/trig-lobby-meraki\/notify\/[^/?]+\/Meraki\/1\/scanning$/,
    );
    const rows = all.filter((r) => !r[2]?.startsWith('(exec '));
    expect(rows.map((r) => r[0])).toEqual(['trig-lobby-alerts', 'trig-lobby-meraki', 'trig-room-101-booking', 'trig-env-secret']);
    for (const [id, url] of rows) {
      const match = new RegExp(`^http://127\\.0\\.0\\.1:8080/webhook/${id}/notify\\?secret=(.+)$`).exec(url!);
      expect(match, url).not.toBeNull();
      expect(match![1]).toMatch(id === 'trig-env-secret' ? /^.+$/ : GENERATED);
    }
    expect(rows.map((r) => r[2])).toEqual([undefined, '(exec)', undefined, undefined]);
    // the generated secrets are kept in the data dir the config names
    expect(existsSync(databaseFile(data))).toBe(true);
    expectNoStackTrace(result);
  });

  it('shows the secret from the environment for an instance that says ${MY_SECRET}', async () => {
    const { config } = tempConfig();
    const result = await cli(['urls', '--config', config]);
    expect(lines(result.stdout)).toContain(
      `trig-env-secret\thttp://127.0.0.1:8080/webhook/trig-env-secret/notify?secret=${ENV_SECRET}`,
    );
  });

  it('keeps generated secrets across runs', async () => {
    const { config } = tempConfig();
    const first = await cli(['urls', '--config', config]);
    const second = await cli(['urls', '--config', config]);
    expect(first.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
    const fireLines = lines(first.stdout).filter((l) => !l.includes('(exec '));
    const secrets = fireLines.map((l) => new URL(l.split('\t')[1]!).searchParams.get('secret'));
    expect(new Set(secrets).size).toBe(4);
  });

  it('generates different secrets for a different data dir', async () => {
    const { config, root } = tempConfig();
    const first = await cli(['urls', '--config', config]);
    const other = await cli(['urls', '--config', config, '--data', join(root, 'other-data')]);
    expect(other.code).toBe(0);
    expect(existsSync(databaseFile(join(root, 'other-data')))).toBe(true);
    const alerts = (text: string) => lines(text).find((l) => l.startsWith('trig-lobby-alerts\t'));
    expect(alerts(other.stdout)).not.toBe(alerts(first.stdout));
  });

  it('prints URLs under --base without a double slash', async () => {
    const { config } = tempConfig();
    const plain = await cli(['urls', '--config', config]);
    const based = await cli(['urls', '--config', config, '--base', 'https://hooks.example.com/']);
    expect(based.code).toBe(0);
    const urls = lines(based.stdout).map((l) => l.split('\t')[1]!);
    expect(urls).toHaveLength(5);
    for (const url of urls) {
      expect(url).toMatch(/^https:\/\/hooks\.example\.com\/webhook\/[^/]+\/notify(\?secret=|\/[^/?]+\/Meraki\/1\/scanning$)/);
      expect(url.slice('https://'.length)).not.toContain('//');
    }
    expect(based.stdout).toBe(plain.stdout.replaceAll('http://127.0.0.1:8080/', 'https://hooks.example.com/'));
  });
});

describe('switchboard migrate', () => {
  it('prints what it applied, then that the schema is up to date', async () => {
    const { config, data } = tempConfig();
    const file = databaseFile(data);
    const first = await cli(['migrate', '--config', config]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe(
      `${file}: applied 001_initial, 002_outbound, 003_schedules, 004_request_reasons, 005_instance_status\n`,
    );
    const second = await cli(['migrate', '--config', config]);
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toBe(`${file}: schema is up to date\n`);
  });

  it('migrates the database under --data', async () => {
    const { config, root } = tempConfig();
    const other = join(root, 'elsewhere');
    const result = await cli(['migrate', '--config', config, '--data', other]);
    expect(result.stdout).toBe(
      `${databaseFile(other)}: applied 001_initial, 002_outbound, 003_schedules, 004_request_reasons, 005_instance_status\n`,
    );
  });
});

describe('switchboard log', () => {
  it('says no requests are recorded on an empty database', async () => {
    const { config } = tempConfig();
    const result = await cli(['log', '--config', config]);
    expect(result).toMatchObject({ code: 0, stderr: '', stdout: 'no requests recorded\n' });
  });

  it('says no requests match when filters find nothing, and prints nothing as JSON', async () => {
    const { config, data } = tempConfig();
    await recordRequests(data);
    expect((await cli(['log', '--config', config, '--outcome', 'exec'])).stdout).toBe('no requests recorded that match\n');
    expect(await cli(['log', '--config', config, '--instance', 'nobody', '--json'])).toMatchObject({ code: 0, stdout: '' });
  });

  it('lists recorded requests newest first', async () => {
    const { config, data } = tempConfig();
    await recordRequests(data);
    const result = await cli(['log', '--config', config]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lines(result.stdout)).toEqual([
      `2026-01-01T09:00:02.000Z  202  ${'fired'.padEnd(18)} PUT    /webhook/trig-room-101-booking/notify  1.5ms  run_3`,
      `2026-01-01T09:00:01.000Z  202  ${'debounced'.padEnd(18)} POST   /webhook/trig-lobby-alerts/notify  1.5ms`,
      `2026-01-01T09:00:00.000Z  202  ${'fired'.padEnd(18)} POST   /webhook/trig-lobby-alerts/notify  1.5ms  run_1`,
    ]);
  });

  it('filters by --instance and --outcome, alone and together, and honours --limit', async () => {
    const { config, data } = tempConfig();
    await recordRequests(data);
    const runIds = async (...args: string[]) =>
      lines((await cli(['log', '--config', config, '--json', ...args])).stdout).map((l) => (JSON.parse(l) as { id: string }).id);
    expect(await runIds('--instance', 'trig-lobby-alerts')).toEqual(['req_2', 'req_1']);
    expect(await runIds('--outcome', 'fired')).toEqual(['req_3', 'req_1']);
    expect(await runIds('--instance', 'trig-lobby-alerts', '--outcome', 'fired')).toEqual(['req_1']);
    expect(await runIds('--limit', '2')).toEqual(['req_3', 'req_2']);
  });

  it('prints one JSON object per line with --json, headers and body decoded', async () => {
    const { config, data } = tempConfig();
    await recordRequests(data);
    const result = await cli(['log', '--config', config, '--json']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const rows = lines(result.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.id)).toEqual(['req_3', 'req_2', 'req_1']);
    expect(rows[2]).toEqual({
      id: 'req_1',
      instance_id: 'trig-lobby-alerts',
      received_at: T0,
      method: 'POST',
      path: '/webhook/trig-lobby-alerts/notify',
      headers: { 'content-type': 'application/json' },
      body: '{"camera":"lobby-east"}',
      body_size: 23,
      body_truncated: 0,
      status: 202,
      outcome: 'fired',
      run_id: 'run_1',
      latency_ms: 1.5,
      reason: null,
      client_ip: null,
    });
  });

  it('refuses a --limit that is not a number with exit 2', async () => {
    const { config } = tempConfig();
    const result = await cli(['log', '--config', config, '--limit', 'ten']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('switchboard: --limit must be a whole number, not "ten"\nrun `switchboard --help` for usage\n');
    expectNoStackTrace(result);
  });
});

describe('switchboard usage', () => {
  it('answers an unknown command with exit 2 and a usage hint', async () => {
    const result = await cli(['frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'switchboard: unknown command "frobnicate"; commands: start, check, migrate, urls, drivers, log, runs, events, subscriptions, deliveries, redeliver, recover, receive\nrun `switchboard --help` for usage\n',
    );
    expectNoStackTrace(result);
  });

  it('answers an unknown option with exit 2 and a usage hint', async () => {
    const result = await cli(['urls', '--colour']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--colour');
    expect(result.stderr).toContain('run `switchboard --help` for usage');
    expectNoStackTrace(result);
  });

  it('refuses --port abc with exit 2 before starting anything', async () => {
    const { config, data } = tempConfig();
    const result = await cli(['start', '--config', config, '--port', 'abc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('switchboard: --port must be a whole number, not "abc"');
    expect(result.stderr).toContain('run `switchboard --help` for usage');
    expect(result.stderr).not.toContain('listening');
    expect(existsSync(data)).toBe(false);
    expectNoStackTrace(result);
  });

  it.each([{ args: ['--help'] }, { args: ['-h'] }, { args: ['urls', '--help'] }])(
    'answers $args with exit 0 and the usage',
    async ({ args }) => {
      const result = await cli(args);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^usage: switchboard <command> \[options\]/);
      for (const command of ['start', 'check', 'migrate', 'urls', 'log'])
        expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    },
  );

  it('answers no command at all with the usage and exit 2', async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^usage: switchboard/);
  });

  it('reports a config directory that does not exist without a stack trace', async () => {
    const { root } = tempConfig();
    const result = await cli(['urls', '--config', join(root, 'no-such-config')]);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toBe('');
    expectNoStackTrace(result);
  });
});

describe('switchboard runs', () => {
  async function seed(data: string) {
    const store = await openStore(databaseFile(data));
    const run = (id: string, instance: string, at: number) => ({
      id,
      instance_id: instance,
      trigger_id: 'lobby-motion',
      system_id: 'sys-lobby',
      request_id: null,
      created_at: at,
      status: 'pending' as const,
      input: JSON.stringify({ method: 'POST', body: { camera: 'east' }, query: {}, headers: {} }),
      finished_at: null,
      error: null,
    });
    await store.commit([{ kind: 'run', row: run('run_a', 'trig-lobby-alerts', Date.parse('2026-11-25T10:00:00Z')) }]);
    await store.commit([{ kind: 'run', row: run('run_b', 'trig-lobby-alerts', Date.parse('2026-11-25T10:05:00Z')) }]);
    await store.commit([{ kind: 'run', row: run('run_c', 'trig-room-101-booking', Date.parse('2026-11-25T10:10:00Z')) }]);
    const at = Date.parse('2026-11-25T10:00:00Z');
    const action = { run_id: 'run_a', kind: 'call', error: null, status: 'succeeded' as const };
    await store.commit([
      { kind: 'run_action', row: { ...action, position: 0, target: 'Display_1.power', started_at: at, finished_at: at + 3 } },
    ]);
    const failure = 'input "vga" is not one of: hdmi1, hdmi2';
    await store.commit([
      {
        kind: 'run_action',
        row: {
          ...action,
          position: 1,
          target: 'Display_1.switch_to',
          status: 'failed',
          error: failure,
          started_at: at + 3,
          finished_at: at + 5,
        },
      },
      {
        kind: 'run_finished',
        id: 'run_a',
        status: 'failed',
        finishedAt: at + 5,
        error: `action 2 (Display_1.switch_to): ${failure}`,
      },
    ]);
    await store.close();
  }

  it('lists runs newest first, filters by instance and status, and shows each action with --actions', async () => {
    const { config, data } = tempConfig();
    await seed(data);
    const all = await cli(['runs', '--config', config]);
    expect(all.code).toBe(0);
    expect(lines(all.stdout).map((l) => l.split('  ')[0])).toEqual(['run_c', 'run_b', 'run_a']);
    const failed = await cli(['runs', '--config', config, '--status', 'failed', '--actions']);
    expect(lines(failed.stdout)).toEqual([
      'run_a  2026-11-25T10:00:00.000Z  failed     trig-lobby-alerts (lobby-motion on sys-lobby)  5ms  action 2 (Display_1.switch_to): input "vga" is not one of: hdmi1, hdmi2',
      '    #1  Display_1.power  succeeded  3ms',
      '    #2  Display_1.switch_to  failed  input "vga" is not one of: hdmi1, hdmi2  2ms',
    ]);
    const room = await cli(['runs', '--config', config, '--instance', 'trig-room-101-booking', '--json']);
    const [only] = lines(room.stdout).map((l) => JSON.parse(l) as { id: string; input: { body: unknown }; actions: unknown[] });
    expect(only).toMatchObject({ id: 'run_c', input: { body: { camera: 'east' } }, actions: [] });
  });

  it('says when nothing matches, and refuses an unknown status with exit 2', async () => {
    const { config, data } = tempConfig();
    await seed(data);
    expect((await cli(['runs', '--config', config, '--instance', 'nobody'])).stdout).toBe('no runs recorded that match\n');
    const bad = await cli(['runs', '--config', config, '--status', 'done']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--status must be one of pending, succeeded, failed, not "done"');
  });
});

describe('switchboard drivers', () => {
  it('lists each shipped driver with its module name, methods and their arguments, and webhooks', async () => {
    const result = await cli(['drivers']);
    expect(result.code).toBe(0);
    const out = lines(result.stdout);
    expect(out).toContain('  method   power(state)  Turns the display on or off.');
    expect(out).toContain('  method   mute(state?)  Mutes or unmutes the audio.');
    expect(out.some((l) => l.startsWith('meraki  (modules Meraki_1, Meraki_2, …)'))).toBe(true);
    expect(out.some((l) => l.startsWith('  webhook  scanning  (exec, 10000 ms)'))).toBe(true);
  });

  it('gives settings and arguments as JSON Schema with --json', async () => {
    const result = await cli(['drivers', '--json']);
    const drivers = lines(result.stdout).map(
      (l) =>
        JSON.parse(l) as {
          name: string;
          settings: { properties: Record<string, unknown>; required?: string[] };
          methods: { name: string }[];
        },
    );
    expect(drivers.map((d) => d.name)).toEqual(['display', 'http', 'meraki']);
    const meraki = drivers.find((d) => d.name === 'meraki')!;
    expect(meraki.settings.required).toEqual(expect.arrayContaining(['validator', 'secret']));
    expect(drivers.find((d) => d.name === 'display')!.methods.map((m) => m.name)).toEqual([
      'power',
      'switch_to',
      'volume',
      'mute',
    ]);
  });
});
