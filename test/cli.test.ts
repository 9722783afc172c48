// Covers the `switchboard` command line, run in-process through run(): urls, migrate, log,
// runs, drivers, usage errors and help, without stack traces; and a few runs as a real
// process (help, a config error, urls) to prove the entry point does the same.
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../migrations/index.js';
import { databaseFile, openStore } from '../src/store/store.js';
import { OUTCOMES } from '../src/cli/commands/log.js';
import { COMMAND_NAMES } from '../src/cli/main.js';
import type { RequestLogRow } from '../src/store/request-log-repo.js';
import { BUILT_CLI, expectNoStackTrace, runCli as runCliProcess, spawnCli, type CliResult } from './support/cli-process.js';
import { runCli } from './support/run-cli.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FIXTURE_DRIVERS = join(ROOT, 'test/fixtures/drivers');
const ENV_SECRET = 'env-secret-from-the-environment-0123';
const GENERATED = /^[A-Za-z0-9_-]{32}$/;
const MIGRATIONS = Object.keys(migrations).join(', ');

/** Runs the CLI in-process with MY_SECRET set, as the tests' configs read it. */
const cli = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  runCli(args, { MY_SECRET: ENV_SECRET, ...env });
/** The same, as a real process (`node --import tsx src/cli/run.ts`). */
const cliProcess = (args: string[]): Promise<CliResult> => runCliProcess(args, { MY_SECRET: ENV_SECRET });

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

const DEBOUNCED = 'inside the 5000 ms debounce window';

/** Three requests recorded in the temp data dir: an older fire, a debounce (with its reason) and the newest fire. */
async function recordRequests(data: string): Promise<void> {
  const store = await openStore(databaseFile(data));
  try {
    const rows = [
      entry({ id: 'req_1', instance_id: 'trig-lobby-alerts', received_at: T0, outcome: 'fired', status: 202, run_id: 'run_1' }),
      entry({
        id: 'req_2',
        instance_id: 'trig-lobby-alerts',
        received_at: T0 + 1_000,
        outcome: 'debounced',
        status: 202,
        reason: DEBOUNCED,
      }),
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

  it('keeps generated secrets across runs, a real process and in-process alike', async () => {
    const { config } = tempConfig();
    const first = await cliProcess(['urls', '--config', config]);
    const second = await cli(['urls', '--config', config]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
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
    expect(first.stdout).toBe(`${file}: applied ${MIGRATIONS}\n`);
    const second = await cli(['migrate', '--config', config]);
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toBe(`${file}: schema is up to date\n`);
  });

  it('migrates the database under --data', async () => {
    const { config, root } = tempConfig();
    const other = join(root, 'elsewhere');
    const result = await cli(['migrate', '--config', config, '--data', other]);
    expect(result.stdout).toBe(`${databaseFile(other)}: applied ${MIGRATIONS}\n`);
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
      `2026-01-01T09:00:01.000Z  202  ${'debounced'.padEnd(18)} POST   /webhook/trig-lobby-alerts/notify  1.5ms  ${DEBOUNCED}`,
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

  it('shows a reason on one line, its control characters escaped', async () => {
    const { config, data } = tempConfig();
    const store = await openStore(databaseFile(data));
    const reason = 'the signature header was "v1,abc\r\nX-Injected: yes"';
    await store.commit([
      {
        kind: 'request',
        row: entry({
          id: 'req_x',
          instance_id: 'trig-lobby-alerts',
          received_at: T0,
          outcome: 'signature_invalid',
          status: 401,
          reason,
        }),
      },
    ]);
    await store.close();
    const result = await cli(['log', '--config', config]);
    expect(lines(result.stdout)).toEqual([
      `2026-01-01T09:00:00.000Z  401  ${'signature_invalid'.padEnd(18)} POST   /webhook/trig-lobby-alerts/notify  1.5ms  the signature header was "v1,abc\\u000d\\u000aX-Injected: yes"`,
    ]);
  });

  it('refuses an --outcome that no request can have with exit 2, listing every outcome', async () => {
    const { config } = tempConfig();
    const result = await cli(['log', '--config', config, '--outcome', 'fire']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe(
      `switchboard: --outcome must be one of ${OUTCOMES.join(', ')}, not "fire"\nrun \`switchboard --help\` for usage\n`,
    );
    expect(OUTCOMES).toEqual(
      expect.arrayContaining(
        'fired debounced conditions busy exec not_found method_not_allowed payload_too_large unsupported_encoding body_incomplete body_malformed signature_invalid bad_parameter missing_parameter exec_forbidden module_not_found module_error module_timeout request_timeout store_unavailable internal_error'.split(
          ' ',
        ),
      ),
    );
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
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe(
      `switchboard: unknown command "frobnicate"; commands: ${COMMAND_NAMES.join(', ')}\nrun \`switchboard --help\` for usage\n`,
    );
    expect(COMMAND_NAMES).toEqual(expect.arrayContaining(['start', 'check', 'migrate', 'urls', 'instances', 'drivers', 'log']));
  });

  it('answers an option the command does not take with exit 2, naming the options it takes', async () => {
    const result = await cli(['check', '--attempts', '--since', '2h']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe(
      'switchboard: check does not take --attempts; it takes --config DIR, --data DIR, --drivers DIR, --help\nrun `switchboard --help` for usage\n',
    );
    const urls = await cli(['urls', '--colour']);
    expect(urls.code).toBe(2);
    expect(urls.stderr).toContain('switchboard: urls does not take --colour; it takes --config DIR, --data DIR, --base URL');
  });

  it.each([
    { args: ['drivers', '--data', 'x'], refused: '--data' },
    { args: ['log', '--attempts'], refused: '--attempts' },
    { args: ['receive', '--port', '0', '--data', 'x'], refused: '--data' },
    { args: ['migrate', '-p', '80'], refused: '-p' },
  ])('refuses $refused in $args.0 with exit 2', async ({ args, refused }) => {
    const result = await cli(args);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain(`switchboard: ${args[0]} does not take ${refused}; it takes `);
  });

  it('refuses an option without its value, and arguments a command does not take, with exit 2', async () => {
    const missing = await cli(['log', '--limit']);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toContain("switchboard: Option '--limit <value>' argument missing");
    const extra = await cli(['log', 'fired']);
    expect(extra).toMatchObject({ code: 2, stdout: '' });
    expect(extra.stderr).toContain('switchboard: log takes no arguments, not "fired"; it takes --config DIR');
  });

  it('asks for the command first when an option comes before it', async () => {
    const result = await cli(['--config', 'config', 'urls']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain('switchboard: the command comes first: switchboard <command> [options], not "--config"');
  });

  it('refuses --port abc with exit 2 before starting anything', async () => {
    const { config, data } = tempConfig();
    const result = await cli(['start', '--config', config, '--port', 'abc']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('switchboard: --port must be a whole number, not "abc"\nrun `switchboard --help` for usage\n');
    expect(existsSync(data)).toBe(false);
  });

  it.each([{ args: ['-h'] }, { args: ['urls', '--help'] }, { args: ['log', '--config', 'nowhere', '-h'] }])(
    'answers $args with exit 0 and the usage',
    async ({ args }) => {
      const result = await cli(args);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^usage: switchboard <command> \[options\]/);
      for (const command of COMMAND_NAMES) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    },
  );

  it('answers no command at all with the usage and exit 2', async () => {
    const result = await cli([]);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/^usage: switchboard/);
  });
});

describe('switchboard as a real process', () => {
  it('answers --help with exit 0 and the usage', async () => {
    const result = await cliProcess(['--help']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^usage: switchboard <command> \[options\]/);
  });

  it('reports a config directory that does not exist with exit 1, without a stack trace', async () => {
    const { root } = tempConfig();
    const result = await cliProcess(['urls', '--config', join(root, 'no-such-config')]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^switchboard: |^config has /);
    expectNoStackTrace(result);
  });
});

// CI builds before it tests; a checkout that was never built has no bundle to run.
describe.skipIf(!existsSync(BUILT_CLI))('the built command, bin/switchboard.js (bundled by npm run build)', () => {
  const built = (args: string[]) => runCliProcess(args, { MY_SECRET: ENV_SECRET }, { built: true });

  it('prints what the source prints, for urls and log', async () => {
    const { config, data } = tempConfig();
    await recordRequests(data);
    for (const args of [
      ['urls', '--config', config],
      ['log', '--config', config],
    ]) {
      const fromBundle = await built(args);
      expect(fromBundle).toMatchObject({ code: 0, stderr: '' });
      expect(fromBundle.stdout).toBe((await cli(args)).stdout);
    }
  });

  it('loads a JavaScript driver from --drivers, as the README tells a driver author, and refuses an option its command does not take', async () => {
    const { root } = tempConfig();
    const api = pathToFileURL(join(ROOT, 'dist/src/drivers/api.js')).href;
    mkdirSync(join(root, 'more-drivers/chime'), { recursive: true });
    writeFileSync(
      join(root, 'more-drivers/chime/driver.js'),
      [
        `import { defineDriver, z } from '${api}';`,
        'export const driver = defineDriver({',
        "  name: 'chime', module: 'Chime', description: 'A chime.', settings: z.strictObject({}),",
        '  state: z.object({}), initialState: () => ({}),',
        '  methods: { ring: { args: z.strictObject({ times: z.number() }), run: () => {} } },',
        '});',
      ].join('\n'),
    );
    const listed = await built(['drivers', '--json', '--drivers', join(root, 'more-drivers')]);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(lines(listed.stdout).map((line) => (JSON.parse(line) as { name: string }).name)).toContain('chime');
    const refused = await built(['check', '--since', '2h']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^switchboard: check does not take --since; it takes /);
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
      trace: null,
    });
    await store.commit([{ kind: 'run', row: run('run_a', 'trig-lobby-alerts', Date.parse('2026-11-25T10:00:00Z')) }]);
    await store.commit([{ kind: 'run', row: run('run_b', 'trig-lobby-alerts', Date.parse('2026-11-25T10:05:00Z')) }]);
    await store.commit([{ kind: 'run', row: run('run_c', 'trig-room-101-booking', Date.parse('2026-11-25T10:10:00Z')) }]);
    const at = Date.parse('2026-11-25T10:00:00Z');
    const action = { run_id: 'run_a', kind: 'call', error: null, status: 'succeeded' as const, detail: null };
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

/** A config whose hall system has one module of the fixture-lamp driver (test/fixtures/drivers). */
function lampConfig(): { config: string; data: string } {
  const root = mkdtempSync(join(tmpdir(), 'switchboard-cli-lamp-'));
  dirs.push(root);
  const config = join(root, 'config');
  const data = join(root, 'data');
  mkdirSync(config);
  writeFileSync(
    join(config, 'site.yaml'),
    `server:
  host: 127.0.0.1
  port: 8080
  data_dir: ${JSON.stringify(data)}
zones: [{ id: site }]
systems:
  - id: sys-hall
    zones: [site]
    modules: [{ driver: fixture-lamp, settings: { watts: 40 } }]
triggers:
  - id: lights
    actions:
      - call: FixtureLamp_1.power
        args: { on: true }
instances:
  - { id: trig-hall, trigger: lights, system: sys-hall, exec: true, secret: ${LAMP_SECRET} }
`,
  );
  return { config, data };
}
const LAMP_SECRET = 'hall-lamp-secret-0123456789';

describe('switchboard drivers', () => {
  it('lists the drivers of a --drivers folder after the shipped ones: module names, methods with arguments, webhooks, events', async () => {
    const shipped = await cli(['drivers']);
    expect(shipped).toMatchObject({ code: 0, stderr: '' });
    const result = await cli(['drivers', '--drivers', 'test/fixtures/drivers']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.startsWith(shipped.stdout)).toBe(true);
    expect(lines(result.stdout.slice(shipped.stdout.length))).toEqual([
      'fixture-bell  (modules FixtureBell_1, FixtureBell_2, …)  A bell that exists only in the tests.',
      '  from     folder test/fixtures/drivers/bell',
      '  method   ring()',
      'fixture-lamp  (modules FixtureLamp_1, FixtureLamp_2, …)  A lamp that exists only in the tests.',
      '  from     folder test/fixtures/drivers/lamp',
      '  method   power(on, fade_ms?)  Turns the lamp on or off.',
      '  webhook  status  (exec, 2000 ms)  Answers whether the lamp is on.',
      '  event    fixture_lamp.burned_out  The bulb burned out.',
    ]);
  });

  it('gives settings, arguments and event data as JSON Schema with --json', async () => {
    const result = await cli(['drivers', '--json', '--drivers', FIXTURE_DRIVERS]);
    expect(result.code).toBe(0);
    const drivers = lines(result.stdout).map(
      (l) =>
        JSON.parse(l) as {
          name: string;
          module: string;
          settings: { properties: Record<string, unknown>; required?: string[] };
          methods: { name: string; args: { required?: string[] } }[];
          webhooks: { name: string; timeout_ms: number }[];
          events: { type: string; data: { properties: Record<string, unknown> } }[];
        },
    );
    const lamp = drivers.find((d) => d.name === 'fixture-lamp')!;
    expect(lamp.module).toBe('FixtureLamp');
    expect(Object.keys(lamp.settings.properties)).toEqual(['watts']);
    expect(lamp.methods).toMatchObject([{ name: 'power', args: { required: ['on'] } }]);
    expect(lamp.webhooks).toMatchObject([{ name: 'status', timeout_ms: 2000 }]);
    expect(lamp.events).toMatchObject([{ type: 'fixture_lamp.burned_out', data: { properties: { hours: {} } } }]);
    for (const driver of drivers) expect(driver.settings).toBeTypeOf('object');
  });

  it('reports a driver name defined in two folders with exit 1, naming both folders', async () => {
    const result = await cli(['drivers', '--drivers', FIXTURE_DRIVERS, '--drivers', 'test/fixtures/drivers-twice']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `test/fixtures/drivers-twice/lamp-again: could not be loaded: driver name "fixture-lamp" is defined twice, in ${join(FIXTURE_DRIVERS, 'lamp')} and in ${join(ROOT, 'test/fixtures/drivers-twice/lamp-again')}; the first is used\n`,
    );
  });

  it('refuses a --drivers folder that does not exist with exit 2', async () => {
    const result = await cli(['drivers', '--drivers', 'test/fixtures/no-such-drivers']);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toContain('switchboard: --drivers test/fixtures/no-such-drivers: there is no such folder');
  });
});

describe('switchboard check --drivers', () => {
  it('accepts a config that uses a driver of a --drivers folder, and not without it', async () => {
    const { config } = lampConfig();
    const without = await cli(['check', '--config', config]);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/^config has \d+ problems?:\n.*driver "fixture-lamp" does not exist/);
    const ok = await cli(['check', '--config', config, '--drivers', FIXTURE_DRIVERS]);
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toBe(`${config}: OK (1 zones, 1 systems, 1 modules, 1 triggers, 1 instances)\n`);
  });

  it('reports a driver name defined in two folders as a problem naming both', async () => {
    const { config } = lampConfig();
    const twice = join(ROOT, 'test/fixtures/drivers-twice');
    const result = await cli(['check', '--config', config, '--drivers', FIXTURE_DRIVERS, '--drivers', twice]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `driver name "fixture-lamp" is defined twice, in ${join(FIXTURE_DRIVERS, 'lamp')} and in ${join(twice, 'lamp-again')}`,
    );
  });
});

describe('switchboard start --drivers, as a real process', () => {
  it('runs a module of a --drivers folder: its webhook method answers through exec', async () => {
    const { config, data } = lampConfig();
    // Through tsx: the fixture drivers are TypeScript.
    const child = spawnCli(
      ['start', '--config', config, '--data', data, '--port', '0', '--drivers', FIXTURE_DRIVERS],
      { LOG_LEVEL: 'warn' },
      { source: true },
    );
    try {
      child.stdin.end();
      let stderr = '';
      child.stdout.resume();
      child.stderr.setEncoding('utf8');
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (chunk: string) => {
          stderr += chunk;
          const match = /listening on (http:\/\/\S+?);/.exec(stderr);
          if (match) resolve(match[1]!);
        });
        child.on('exit', () => reject(new Error(`the engine exited before listening:\n${stderr}`)));
      });
      const response = await fetch(`${url}/webhook/trig-hall/notify/${LAMP_SECRET}/FixtureLamp/1/status`, { method: 'POST' });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ on: expect.any(Boolean) });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expectNoStackTrace({ code: 0, stdout: '', stderr });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
