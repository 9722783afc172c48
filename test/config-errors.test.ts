// Config problems as a user meets them: YAML written into a temporary directory,
// loaded with loadConfig / prepareConfig (and the `check` command), and every
// problem reported as `file:line:col  path  message`, all at once, without a stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load-config.js';
import { ConfigInvalid, formatProblem } from '../src/config/problems.js';
import { defineDriver, z } from '../src/drivers/api.js';
import { registryOf } from '../src/drivers/registry.js';
import { prepareConfig } from '../src/prepare-config.js';
import { driver as display } from '../drivers/display/driver.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A second driver, so "available drivers" lists more than one name. */
const lamp = defineDriver({
  name: 'lamp',
  module: 'Lamp',
  description: 'A test lamp.',
  settings: z.strictObject({}),
  state: z.object({ on: z.boolean() }),
  initialState: () => ({ on: false }),
  methods: { toggle: { args: z.strictObject({}), run: () => undefined } },
});
const registry = registryOf([display, lamp]);

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const yaml = (...lines: string[]) => `${lines.join('\n')}\n`;

/** How the loader names a file in problems: relative to the working directory. */
const fileOf = (dir: string, name: string) => relative(process.cwd(), join(resolve(dir), name));

/** The formatted problem expected at `name:line:col`. */
const at = (dir: string, name: string, line: number, col: number, path: string, message: string) =>
  `${fileOf(dir, name)}:${line}:${col}  ${path}  ${message}`;

function invalid(run: () => unknown): ConfigInvalid {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigInvalid) return error;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

async function invalidAsync(run: () => Promise<unknown>): Promise<ConfigInvalid> {
  try {
    await run();
  } catch (error) {
    if (error instanceof ConfigInvalid) return error;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

const loadProblems = (dir: string, env: NodeJS.ProcessEnv = {}): string[] =>
  invalid(() => loadConfig(dir, env)).problems.map(formatProblem);
const prepareProblems = async (dir: string, env: NodeJS.ProcessEnv = {}): Promise<string[]> =>
  (await invalidAsync(() => prepareConfig(dir, { env, registry }))).problems.map(formatProblem);

// A valid two-file config; tests change single lines so the positions below stay put.
const SITE = yaml(
  'zones:', //                   1
  '  - id: org', //              2
  '  - id: room-zone', //        3
  '    parent: org', //          4
  'systems:', //                 5
  '  - id: sys-room', //         6
  '    zones: [room-zone]', //   7
  '    modules:', //             8
  '      - driver: display', //  9
  '        settings:', //        10
  '          max_volume: 60', // 11
);
const TRIGGERS = yaml(
  'triggers:', //                   1
  '  - id: wake', //                2
  '    debounce: 5s', //            3
  '    actions:', //                4
  '      - call: Display_1.power', // 5
  '        args: { state: true }', // 6
  'instances:', //                  7
  '  - id: inst-room', //           8
  '    trigger: wake', //           9
  '    system: sys-room', //        10
);

describe('a valid config', () => {
  it('merges systems from one file and triggers from another into one config', async () => {
    const dir = configDir({ 'site.yaml': SITE, 'triggers.yml': TRIGGERS, 'README.md': 'not config: [' });
    const { loaded } = await prepareConfig(dir, { env: {}, registry });
    const { config } = loaded;
    expect(config.zones.map((z) => z.id)).toEqual(['org', 'room-zone']);
    expect(config.systems.map((s) => s.id)).toEqual(['sys-room']);
    expect(config.systems[0]!.modules[0]).toEqual({ driver: 'display', settings: { max_volume: 60 } });
    expect(config.triggers.map((t) => [t.id, t.debounce])).toEqual([['wake', 5_000]]);
    expect(config.instances.map((i) => [i.id, i.trigger, i.system])).toEqual([['inst-room', 'wake', 'sys-room']]);
    expect(config.server.port).toBe(8080);
  });

  it('appends list items from every file in file-name order', () => {
    const dir = configDir({
      'b.yaml': yaml('triggers:', '  - id: second'),
      'a.yaml': yaml('triggers:', '  - id: first'),
      'c.yaml': yaml('triggers:', '  - id: third'),
    });
    expect(loadConfig(dir, {}).config.triggers.map((t) => t.id)).toEqual(['first', 'second', 'third']);
  });

  it('locates items merged from a later file in that file', () => {
    const dir = configDir({
      'a.yaml': yaml('triggers:', '  - id: first'),
      'b.yaml': yaml('', 'triggers:', '  - id: second', '    debounce: 1s'),
    });
    const loaded = loadConfig(dir, {});
    expect(formatProblem(loaded.locate(['triggers', 1, 'debounce'], 'here'))).toBe(
      at(dir, 'b.yaml', 4, 15, 'triggers[1].debounce', 'here'),
    );
  });
});

describe('driver problems', () => {
  it('reports an unknown driver with its position and the drivers that exist, and not the calls into its system', async () => {
    // Which module a call names depends on the unknown driver's module name: that call is not judged.
    const dir = configDir({
      'site.yaml': SITE.replace('driver: display', 'driver: projector'),
      'triggers.yaml': TRIGGERS.replace('Display_1.power', 'Lamp_1.toggle').replace('{ state: true }', '{}'),
    });
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'site.yaml',
        9,
        17,
        'systems[0].modules[0].driver',
        'driver "projector" does not exist; available drivers: display, lamp',
      ),
    ]);
  });

  it('reports bad driver settings with the path into the settings', async () => {
    const dir = configDir({ 'site.yaml': SITE.replace('max_volume: 60', 'max_volume: 600'), 'triggers.yaml': TRIGGERS });
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'site.yaml',
        11,
        23,
        'systems[0].modules[0].settings.max_volume',
        'display settings: Too big: expected number to be <=100',
      ),
    ]);
  });

  it('reports a settings entry of the wrong type at that entry', async () => {
    const dir = configDir({ 'site.yaml': SITE.replace('max_volume: 60', 'inputs: hdmi1'), 'triggers.yaml': TRIGGERS });
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'site.yaml',
        11,
        19,
        'systems[0].modules[0].settings.inputs',
        'display settings: Invalid input: expected array, received string',
      ),
    ]);
  });

  it("reports a call to a module the instance's system does not have, naming the modules it has", async () => {
    const dir = configDir({ 'site.yaml': SITE, 'triggers.yaml': TRIGGERS.replace('Display_1.power', 'Display_2.power') });
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'triggers.yaml',
        5,
        15,
        'triggers[0].actions[0].call',
        'instance "inst-room" runs this on system "sys-room", which has no module Display_2; it has: Display_1',
      ),
    ]);
  });

  it('reports a call to a method the driver does not have, naming the methods it has', async () => {
    const dir = configDir({ 'site.yaml': SITE, 'triggers.yaml': TRIGGERS.replace('Display_1.power', 'Display_1.explode') });
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'triggers.yaml',
        5,
        15,
        'triggers[0].actions[0].call',
        'Display_1 (driver display) has no method "explode"; it has: power, switch_to, volume, mute',
      ),
    ]);
  });

  it('refuses a call target that is not written as Module_index.method', () => {
    const dir = configDir({ 'site.yaml': SITE, 'triggers.yaml': TRIGGERS.replace('Display_1.power', 'power') });
    expect(loadProblems(dir)).toEqual([
      at(
        dir,
        'triggers.yaml',
        5,
        15,
        'triggers[0].actions[0].call',
        'write the target as Module_index.method, for example Display_1.power',
      ),
    ]);
  });

  it('reports a template expression outside the request at its action', async () => {
    const dir = configDir({
      'site.yaml': SITE,
      'triggers.yaml': TRIGGERS.replace('Display_1.power', 'Display_1.switch_to').replace(
        '{ state: true }',
        '{ input: "{{ foo.bar }}" }',
      ),
    });
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'triggers.yaml',
        5,
        9,
        'triggers[0].actions[0]',
        '"{{ foo.bar }}" must start with one of: method, body, query, headers',
      ),
    ]);
  });

  it('reports a rate_key that reads the body, and key templates outside the request, where they are written', async () => {
    const dir = configDir({
      'site.yaml': SITE,
      'triggers.yaml': TRIGGERS.replace(
        '    debounce: 5s',
        '    debounce: 5s\n    debounce_key: "{{ cookies.a }}"\n    rate_limit: { requests: 1, per: 1s }\n    rate_key: "{{ body.tenant }}"',
      ),
    });
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'triggers.yaml',
        4,
        19,
        'triggers[0].debounce_key',
        '"{{ cookies.a }}" must start with one of: method, body, query, headers',
      ),
      at(
        dir,
        'triggers.yaml',
        6,
        15,
        'triggers[0].rate_key',
        'rate_key is read before the body is: use headers, query or method',
      ),
    ]);
  });

  it('lists every driver problem at once', async () => {
    const site = SITE.replace('max_volume: 60', 'max_volume: 0').replace(
      '    modules:\n',
      // Named, so the addresses of the modules after it are known and the call is checked too.
      '    modules:\n      - driver: fridge\n        name: Fridge\n',
    );
    const triggers = TRIGGERS.replace('{ state: true }', '{ state: "{{ cookies }}" }').replace(
      'Display_1.power',
      'Display_1.dance',
    );
    const dir = configDir({ 'site.yaml': site, 'triggers.yaml': triggers });
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'site.yaml',
        9,
        17,
        'systems[0].modules[0].driver',
        'driver "fridge" does not exist; available drivers: display, lamp',
      ),
      at(
        dir,
        'site.yaml',
        13,
        23,
        'systems[0].modules[1].settings.max_volume',
        'display settings: Too small: expected number to be >=1',
      ),
      at(
        dir,
        'triggers.yaml',
        5,
        9,
        'triggers[0].actions[0]',
        '"{{ cookies }}" must start with one of: method, body, query, headers',
      ),
      at(
        dir,
        'triggers.yaml',
        5,
        15,
        'triggers[0].actions[0].call',
        'Display_1 (driver display) has no method "dance"; it has: power, switch_to, volume, mute',
      ),
    ]);
  });
});

describe('one pass', () => {
  it('reports every kind of mistake in a config at once, each once, in file order', async () => {
    const dir = configDir({
      'site.yaml': yaml(
        'zones:', //                          1
        '  - id: org', //                     2
        'systems:', //                        3
        '  - id: sys-room', //                4
        '    zones: [org, lobby]', //         5
        '    modules:', //                    6
        '      - driver: display', //         7
        '        settings:', //               8
        '          max_volum: 60', //         9
        '      - driver: fridge', //          10
        '        name: Fridge', //            11
      ),
      'triggers.yaml': yaml(
        'triggers:', //                                                           1
        '  - id: wake', //                                                        2
        '    debounce_period: 500', //                                            3
        '    conditions:', //                                                     4
        '      - schedule: "0 30 7 * * MON-FRIDAY"', //                           5
        '      - compare: { left: Display_1.powr, op: equal, right: Lamp_1.on }', // 6
        '    actions:', //                                                        7
        '      - call: Display_1.power', //                                       8
        '        args: { sate: true }', //                                        9
        '      - call: Display_1.power', //                                       10
        '        args: { state: "yes" }', //                                      11
        '      - call: Display_1.power', //                                       12
        '        args: { state: "{{ body.on }}" }', //                            13
        '      - call: Display_1.dance', //                                       14
        '      - emit: room.ready', //                                            15
        '        data: { who: "{{ cookies }}" }', //                              16
        '  - id: sleep', //                                                       17
        '    debounce: 30', //                                                    18
        '    actions:', //                                                        19
        '      - call: Display_1.volume', //                                      20
        '        args: { level: "loud" }', //                                     21
        'instances:', //                                                          22
        '  - id: inst-room', //                                                   23
        '    trigger: wake', //                                                   24
        '    system: sys-room', //                                                25
        '    enabeld: true', //                                                   26
        '  - id: inst-sleep', //                                                  27
        '    trigger: sleep', //                                                  28
        '    system: sys-room', //                                                29
        '  - id: inst-gone', //                                                   30
        '    trigger: nope', //                                                   31
        '    system: sys-room', //                                                32
        'subscriptions:', //                                                      33
        '  - id: sub-room', //                                                    34
        '    url: https://example.com/hook', //                                   35
        '    system: sys-room', //                                                36
        '    on_failure:', //                                                     37
        '      - call: Display_1.switch_to', //                                   38
        '        args: { input: 7 }', //                                          39
      ),
    });
    expect(await prepareProblems(dir)).toEqual([
      at(dir, 'site.yaml', 5, 18, 'systems[0].zones[1]', 'zone "lobby" does not exist; known zones: org'),
      at(
        dir,
        'site.yaml',
        9,
        22,
        'systems[0].modules[0].settings.max_volum',
        'display settings: Unrecognized key: "max_volum"; did you mean "max_volume"?',
      ),
      at(
        dir,
        'site.yaml',
        10,
        17,
        'systems[0].modules[1].driver',
        'driver "fridge" does not exist; available drivers: display, lamp',
      ),
      at(
        dir,
        'triggers.yaml',
        3,
        22,
        'triggers[0].debounce_period',
        'Unrecognized key: "debounce_period"; PlaceOS calls it debounce_period, here it is debounce (write 30s or 500ms)',
      ),
      at(
        dir,
        'triggers.yaml',
        5,
        19,
        'triggers[0].conditions[0].schedule',
        'day of week "FRIDAY" is not a day name; write FRI (day names are three letters: SUN MON TUE WED THU FRI SAT)',
      ),
      at(
        dir,
        'triggers.yaml',
        6,
        26,
        'triggers[0].conditions[1].compare.left',
        'Display_1 (driver display) has no state "powr" (it has: power, input, volume, mute); did you mean "power"?',
      ),
      at(
        dir,
        'triggers.yaml',
        6,
        60,
        'triggers[0].conditions[1].compare.right',
        'instance "inst-room" reads Lamp_1.on on system "sys-room", which has no module Lamp_1; it has: Display_1, Fridge_1',
      ),
      at(
        dir,
        'triggers.yaml',
        9,
        23,
        'triggers[0].actions[0].args.sate',
        'Display_1.power: Unrecognized key: "sate"; did you mean "state"?',
      ),
      at(
        dir,
        'triggers.yaml',
        11,
        24,
        'triggers[0].actions[1].args.state',
        'Display_1.power: state: expected boolean, received string',
      ),
      at(
        dir,
        'triggers.yaml',
        14,
        15,
        'triggers[0].actions[3].call',
        'Display_1 (driver display) has no method "dance"; it has: power, switch_to, volume, mute',
      ),
      at(
        dir,
        'triggers.yaml',
        15,
        9,
        'triggers[0].actions[4]',
        '"{{ cookies }}" must start with one of: method, body, query, headers',
      ),
      at(dir, 'triggers.yaml', 18, 15, 'triggers[1].debounce', 'write 30s or 30000ms: durations carry a unit'),
      at(
        dir,
        'triggers.yaml',
        21,
        24,
        'triggers[1].actions[0].args.level',
        'Display_1.volume: level: expected number, received string',
      ),
      at(dir, 'triggers.yaml', 26, 14, 'instances[0].enabeld', 'Unrecognized key: "enabeld"; did you mean "enabled"?'),
      at(dir, 'triggers.yaml', 31, 14, 'instances[2].trigger', 'trigger "nope" does not exist; known triggers: wake, sleep'),
      at(
        dir,
        'triggers.yaml',
        39,
        24,
        'subscriptions[0].on_failure[0].args.input',
        'Display_1.switch_to: input: expected string, received number',
      ),
    ]);
  });

  it('still checks the references and calls of items next to one the schema refused, and of the refused one', async () => {
    const dir = configDir({
      'site.yaml': SITE,
      'triggers.yaml': yaml(
        'triggers:', //                      1
        '  - id: wake', //                   2
        '    mode: sometimes', //            3
        '    actions:', //                   4
        '      - call: power', //            5
        '      - call: Display_1.power', //  6
        '        args: { state: 1 }', //     7
        'instances:', //                     8
        '  - id: inst-room', //              9
        '    trigger: wake', //              10
        '    system: sys-room', //           11
        '    exec: sometimes', //            12
        '  - id: inst-other', //             13
        '    trigger: wake', //              14
        '    system: sys-other', //          15
      ),
    });
    expect(await prepareProblems(dir)).toEqual([
      at(dir, 'triggers.yaml', 3, 11, 'triggers[0].mode', 'Invalid option: expected one of "single"|"queued"|"parallel"'),
      at(
        dir,
        'triggers.yaml',
        5,
        15,
        'triggers[0].actions[0].call',
        'write the target as Module_index.method, for example Display_1.power',
      ),
      at(
        dir,
        'triggers.yaml',
        7,
        24,
        'triggers[0].actions[1].args.state',
        'Display_1.power: state: expected boolean, received number',
      ),
      at(dir, 'triggers.yaml', 12, 11, 'instances[0].exec', 'Invalid input: expected boolean, received string'),
      at(dir, 'triggers.yaml', 15, 13, 'instances[1].system', 'system "sys-other" does not exist; known systems: sys-room'),
    ]);
  });

  it('reports a value left blank by an unset variable once, and goes on to check the rest', async () => {
    const dir = configDir({
      'site.yaml': SITE,
      'triggers.yaml': TRIGGERS.replace('trigger: wake', 'trigger: sleep').replace(
        'system: sys-room',
        'system: sys-room\n    secret: "${ROOM_SECRET_UNSET}"',
      ),
    });
    expect(await prepareProblems(dir)).toEqual([
      at(dir, 'triggers.yaml', 9, 14, 'instances[0].trigger', 'trigger "sleep" does not exist; known triggers: wake'),
      at(
        dir,
        'triggers.yaml',
        11,
        13,
        'instances[0].secret',
        'environment variable ROOM_SECRET_UNSET is not set; set it, or write ${ROOM_SECRET_UNSET:-default}',
      ),
    ]);
  });
});

describe('call arguments', () => {
  const withArgs = (args: string, call = 'Display_1.power') =>
    configDir({ 'site.yaml': SITE, 'triggers.yaml': TRIGGERS.replace('Display_1.power', call).replace('{ state: true }', args) });

  it('names an argument of the wrong type and what the method expects', async () => {
    const dir = withArgs('{ state: "yes" }');
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'triggers.yaml',
        6,
        24,
        'triggers[0].actions[0].args.state',
        'Display_1.power: state: expected boolean, received string',
      ),
    ]);
  });

  it('names an unknown argument with the one it is likely meant to be', async () => {
    const dir = withArgs('{ sate: true }');
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'triggers.yaml',
        6,
        23,
        'triggers[0].actions[0].args.sate',
        'Display_1.power: Unrecognized key: "sate"; did you mean "state"?',
      ),
    ]);
  });

  it('lists the arguments a method takes when an unknown one is like none of them', async () => {
    const dir = withArgs('{ input: hdmi1, colour: red }', 'Display_1.switch_to');
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'triggers.yaml',
        6,
        39,
        'triggers[0].actions[0].args.colour',
        'Display_1.switch_to: Unrecognized key: "colour"; known keys: input',
      ),
    ]);
  });

  it('leaves the type of a whole template expression to the run', async () => {
    expect(await prepareProblems(withArgs('{ state: "{{ body.on }}", extra: 1 }'))).toEqual([
      expect.stringContaining('triggers[0].actions[0].args.extra  Display_1.power: Unrecognized key: "extra"; known keys: state'),
    ]);
    await prepareConfig(withArgs('{ state: "{{ body.on }}" }'), { env: {}, registry });
  });

  it('takes text around a template expression as a string', async () => {
    const dir = withArgs('{ state: "on: {{ body.on }}" }');
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'triggers.yaml',
        6,
        24,
        'triggers[0].actions[0].args.state',
        'Display_1.power: state: expected boolean, received string',
      ),
    ]);
  });

  it("checks the calls of a subscription's on_failure and on_exhausted, on the action's system or the subscription's", async () => {
    const dir = configDir({
      'site.yaml': SITE,
      'triggers.yaml': TRIGGERS,
      'subscriptions.yaml': yaml(
        'subscriptions:', //                      1
        '  - id: sub-room', //                    2
        '    url: https://example.com/hook', //   3
        '    system: sys-room', //                4
        '    on_failure:', //                     5
        '      - call: Display_1.volume', //      6
        '        args: { level: high }', //       7
        '  - id: sub-all', //                     8
        '    url: https://example.com/all', //    9
        '    on_exhausted:', //                   10
        '      - call: Display_1.mute', //        11
        '        system: sys-room', //            12
        '        args: { state: "no" }', //       13
      ),
    });
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'subscriptions.yaml',
        7,
        24,
        'subscriptions[0].on_failure[0].args.level',
        'Display_1.volume: level: expected number, received string',
      ),
      at(
        dir,
        'subscriptions.yaml',
        13,
        24,
        'subscriptions[1].on_exhausted[0].args.state',
        'Display_1.mute: state: expected boolean, received string',
      ),
    ]);
  });
});

describe('advice', () => {
  it.each([
    ['debounce_period: 500', 'triggers[0].debounce_period', 'debounce (write 30s or 500ms)'],
    ['supported_methods: [POST]', 'triggers[0].supported_methods', 'methods (a list such as [GET, POST])'],
    ['enable_webhook: true', 'triggers[0].enable_webhook', 'webhook (true or false, on the trigger)'],
  ])('maps PlaceOS`s %s to ours', async (line, path, ours) => {
    const dir = configDir({ 'site.yaml': SITE, 'triggers.yaml': TRIGGERS.replace('debounce: 5s', line) });
    const key = line.split(':')[0]!;
    expect(await prepareProblems(dir)).toEqual([
      expect.stringMatching(
        new RegExp(
          `:3:\\d+  ${escape(path)}  ${escape(`Unrecognized key: "${key}"; PlaceOS calls it ${key}, here it is ${ours}`)}$`,
        ),
      ),
    ]);
  });

  it('maps PlaceOS`s exec_enabled on an instance to exec', async () => {
    const dir = configDir({
      'site.yaml': SITE,
      'triggers.yaml': TRIGGERS.replace('system: sys-room', 'system: sys-room\n    exec_enabled: true'),
    });
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'triggers.yaml',
        11,
        19,
        'instances[0].exec_enabled',
        'Unrecognized key: "exec_enabled"; PlaceOS calls it exec_enabled, here it is exec (true or false, on the instance)',
      ),
    ]);
  });

  it('asks for a unit on a bare number where a duration goes, and takes bytes for a size', async () => {
    const dir = configDir({
      'server.yaml': yaml('server:', '  body_limit: 1024', '  request_timeout: 30'),
      'site.yaml': SITE,
      'triggers.yaml': TRIGGERS.replace('debounce: 5s', 'debounce: 30'),
    });
    expect(await prepareProblems(dir)).toEqual([
      at(dir, 'server.yaml', 3, 20, 'server.request_timeout', 'write 30s or 30000ms: durations carry a unit'),
      at(dir, 'triggers.yaml', 3, 15, 'triggers[0].debounce', 'write 30s or 30000ms: durations carry a unit'),
    ]);
  });

  it('names the wrong part of a schedule in English', async () => {
    const dir = configDir({
      'site.yaml': SITE,
      'triggers.yaml': TRIGGERS.replace(
        'debounce: 5s',
        'conditions:\n      - schedule: "0 30 7 * * MON-FRIDAY"\n      - schedule: "61 * * * *"\n      - schedule: "0 0 1 JANUARY *"',
      ),
    });
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'triggers.yaml',
        4,
        19,
        'triggers[0].conditions[0].schedule',
        'day of week "FRIDAY" is not a day name; write FRI (day names are three letters: SUN MON TUE WED THU FRI SAT)',
      ),
      at(dir, 'triggers.yaml', 5, 19, 'triggers[0].conditions[1].schedule', 'minute 61 is out of range 0-59'),
      at(
        dir,
        'triggers.yaml',
        6,
        19,
        'triggers[0].conditions[2].schedule',
        'month "JANUARY" is not a month name; write JAN (month names are three letters: JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC)',
      ),
    ]);
  });
});

describe('reference problems', () => {
  it('reports an instance naming a trigger and a system that do not exist', () => {
    const dir = configDir({
      'site.yaml': SITE,
      'triggers.yaml': TRIGGERS.replace('trigger: wake', 'trigger: sleep').replace('system: sys-room', 'system: sys-x'),
    });
    expect(loadProblems(dir)).toEqual([
      at(dir, 'triggers.yaml', 9, 14, 'instances[0].trigger', 'trigger "sleep" does not exist; known triggers: wake'),
      at(dir, 'triggers.yaml', 10, 13, 'instances[0].system', 'system "sys-x" does not exist; known systems: sys-room'),
    ]);
  });

  it('reports a system in a zone that does not exist, and a zone whose parent does not exist', () => {
    const dir = configDir({
      'site.yaml': SITE.replace('[room-zone]', '[lobby-zone]').replace('parent: org', 'parent: nowhere'),
      'triggers.yaml': TRIGGERS,
    });
    expect(loadProblems(dir)).toEqual([
      at(dir, 'site.yaml', 4, 13, 'zones[1].parent', 'zone "nowhere" does not exist; known zones: org, room-zone'),
      at(dir, 'site.yaml', 7, 13, 'systems[0].zones[0]', 'zone "lobby-zone" does not exist; known zones: org, room-zone'),
    ]);
  });

  it('reports every zone of a parent cycle', () => {
    const dir = configDir({
      'zones.yaml': yaml('zones:', '  - id: a', '    parent: b', '  - id: b', '    parent: a', '  - id: c', '    parent: c'),
    });
    expect(loadProblems(dir)).toEqual([
      at(dir, 'zones.yaml', 3, 13, 'zones[0].parent', 'zone "a" is its own ancestor; zones form a tree'),
      at(dir, 'zones.yaml', 5, 13, 'zones[1].parent', 'zone "b" is its own ancestor; zones form a tree'),
      at(dir, 'zones.yaml', 7, 13, 'zones[2].parent', 'zone "c" is its own ancestor; zones form a tree'),
    ]);
  });

  it('reports an id used in two files at the second one', () => {
    const dir = configDir({
      'a.yaml': yaml('triggers:', '  - id: wake'),
      'b.yaml': yaml('# more triggers', 'triggers:', '  - id: other', '  - id: wake'),
    });
    expect(loadProblems(dir)).toEqual([
      at(dir, 'b.yaml', 4, 9, 'triggers[2].id', 'trigger id "wake" is used twice; ids must be unique'),
    ]);
  });
});

describe('schema problems', () => {
  it('reports an unknown top-level key in the file that has it, at the key', () => {
    const dir = configDir({
      'a.yaml': yaml('server:', '  port: 9000'),
      'b.yaml': yaml('triggers: []', 'trigers:', '  - id: wake'),
    });
    expect(loadProblems(dir)).toEqual([
      at(dir, 'b.yaml', 3, 3, 'trigers', 'Unrecognized key: "trigers"; did you mean "triggers"?'),
    ]);
  });

  it('reports each unknown key of an item at that key, with the known key it is nearest to', () => {
    const dir = configDir({
      'site.yaml': SITE,
      'triggers.yaml': TRIGGERS.replace('debounce: 5s', 'debounse: 5s').replace(
        'system: sys-room',
        'system: sys-room\n    enabeld: true',
      ),
    });
    expect(loadProblems(dir)).toEqual([
      at(dir, 'triggers.yaml', 3, 15, 'triggers[0].debounse', 'Unrecognized key: "debounse"; did you mean "debounce"?'),
      at(dir, 'triggers.yaml', 11, 14, 'instances[0].enabeld', 'Unrecognized key: "enabeld"; did you mean "enabled"?'),
    ]);
  });

  it('reports a value of the wrong type with what was expected', () => {
    const dir = configDir({
      'server.yaml': yaml('server:', '  port: eighty', '  durability: sometimes'),
      'site.yaml': SITE,
      'triggers.yaml': TRIGGERS.replace('debounce: 5s', 'webhook: yes'),
    });
    expect(loadProblems(dir)).toEqual([
      at(dir, 'server.yaml', 2, 9, 'server.port', 'Invalid input: expected number, received string'),
      at(dir, 'server.yaml', 3, 15, 'server.durability', 'Invalid option: expected one of "normal"|"full"'),
      at(dir, 'triggers.yaml', 3, 14, 'triggers[0].webhook', 'Invalid input: expected boolean, received string'),
    ]);
  });

  it('refuses a duration without a proper unit, explaining how to write one', () => {
    const dir = configDir({ 'site.yaml': SITE, 'triggers.yaml': TRIGGERS.replace('debounce: 5s', 'debounce: 5 seconds') });
    expect(loadProblems(dir)).toEqual([
      at(
        dir,
        'triggers.yaml',
        3,
        15,
        'triggers[0].debounce',
        '"5 seconds" is not a duration; write a number with a unit: 500ms, 5s, 2m, 1h or 1d',
      ),
    ]);
  });

  it('refuses a size without a proper unit', () => {
    const dir = configDir({ 'server.yaml': yaml('server:', '  body_limit: 1 megabyte') });
    expect(loadProblems(dir)).toEqual([
      at(
        dir,
        'server.yaml',
        2,
        15,
        'server.body_limit',
        '"1 megabyte" is not a size; write bytes or a number with a unit: 512kb, 1mb',
      ),
    ]);
  });

  it('reports a section given in two files at the second, naming the first', () => {
    const dir = configDir({
      'a.yaml': yaml('server:', '  port: 9000'),
      'b.yaml': yaml('triggers: []', 'server:', '  host: 0.0.0.0'),
    });
    expect(loadProblems(dir)).toEqual([
      at(dir, 'b.yaml', 3, 3, 'server', `section "server" is also given in ${fileOf(dir, 'a.yaml')}; give it once`),
    ]);
  });

  it('reports a list section written as a mapping instead of failing, whichever file comes first', () => {
    const first = configDir({ 'a.yaml': yaml('systems:', '  id: sys-a'), 'b.yaml': yaml('systems:', '  - id: sys-b') });
    expect(loadProblems(first)).toEqual([
      at(first, 'a.yaml', 2, 3, 'systems', 'section "systems" must be a list of items, each starting with "- "'),
    ]);
    const second = configDir({ 'a.yaml': yaml('systems:', '  - id: sys-a'), 'b.yaml': yaml('systems: sys-b') });
    expect(loadProblems(second)).toEqual([
      at(second, 'b.yaml', 1, 10, 'systems', 'section "systems" must be a list of items, each starting with "- "'),
    ]);
  });

  it('reports a file that is not a mapping of sections', () => {
    const dir = configDir({ 'a.yaml': yaml('- id: wake') });
    expect(loadProblems(dir)).toEqual([
      at(
        dir,
        'a.yaml',
        1,
        1,
        '(root)',
        'a config file holds a mapping of sections (server, zones, systems, triggers, instances)',
      ),
    ]);
  });

  it('lists every schema problem across files at once', () => {
    const dir = configDir({
      'a.yaml': yaml('server:', '  port: 99999', 'zones:', '  - id: "bad id"'),
      'a2.yaml': yaml('systems:', '  - id: sys-room'),
      'b.yaml': TRIGGERS.replace('debounce: 5s', 'debounce: soon').replace('inst-room', 'inst-room\n    secret: short'),
    });
    expect(loadProblems(dir)).toEqual([
      at(dir, 'a.yaml', 2, 9, 'server.port', 'Too big: expected number to be <=65535'),
      at(dir, 'a.yaml', 4, 9, 'zones[0].id', 'ids start with a letter or digit and use only letters, digits, ".", "-" and "_"'),
      at(
        dir,
        'b.yaml',
        3,
        15,
        'triggers[0].debounce',
        '"soon" is not a duration; write a number with a unit: 500ms, 5s, 2m, 1h or 1d',
      ),
      at(
        dir,
        'b.yaml',
        9,
        13,
        'instances[0].secret',
        'a secret needs at least 16 characters; leave it out to have one generated',
      ),
    ]);
  });
});

describe('YAML reading', () => {
  it('reports an unset environment variable at its scalar, with how to give a default', () => {
    const dir = configDir({
      'site.yaml': SITE,
      'triggers.yaml': TRIGGERS.replace('system: sys-room', 'system: sys-room\n    secret: "${ROOM_SECRET_UNSET}"'),
    });
    expect(loadProblems(dir)).toEqual([
      at(
        dir,
        'triggers.yaml',
        11,
        13,
        'instances[0].secret',
        'environment variable ROOM_SECRET_UNSET is not set; set it, or write ${ROOM_SECRET_UNSET:-default}',
      ),
    ]);
  });

  it('reports an unset environment variable nested in driver settings', () => {
    const dir = configDir({
      'site.yaml': SITE.replace('max_volume: 60', 'password: pre-${PANEL_PASSWORD}'),
      'triggers.yaml': TRIGGERS,
    });
    expect(loadProblems(dir)).toEqual([
      at(
        dir,
        'site.yaml',
        11,
        21,
        'systems[0].modules[0].settings.password',
        'environment variable PANEL_PASSWORD is not set; set it, or write ${PANEL_PASSWORD:-default}',
      ),
    ]);
  });

  it('interpolates variables, falls back to ${VAR:-default} and keeps $$ as a literal $', () => {
    const dir = configDir({
      // Replacer functions, since a replacement string would itself turn $$ into $.
      'triggers.yaml': TRIGGERS.replace(
        '  - id: wake',
        () =>
          '  - id: wake\n    name: "${ROOM}: costs $$5, not $${ROOM}"\n    description: ${UNSET_NOTE:-no note} / ${EMPTY_DEFAULT:-}',
      ).replace('system: sys-room', () => 'system: sys-room\n    secret: ${ROOM_SECRET:-fallback-secret-0123456789}'),
      'site.yaml': SITE,
    });
    const withDefault = loadConfig(dir, { ROOM: 'room 1.01' }).config;
    expect(withDefault.triggers[0]!.name).toBe('room 1.01: costs $5, not ${ROOM}');
    expect(withDefault.triggers[0]!.description).toBe('no note / ');
    expect(withDefault.instances[0]!.secret).toBe('fallback-secret-0123456789');
    const withValue = loadConfig(dir, { ROOM: 'x', ROOM_SECRET: 'from-the-environment-0123' }).config;
    expect(withValue.instances[0]!.secret).toBe('from-the-environment-0123');
  });

  it('reads an unquoted ${VAR} as the number or boolean it holds, and a quoted one as text', () => {
    const dir = configDir({
      'server.yaml': yaml('server:', '  port: ${PORT:-8080}', '  host: "${HOST_NUMBER}"'),
      'site.yaml': SITE,
      'triggers.yaml': TRIGGERS.replace('system: sys-room', 'system: sys-room\n    exec: ${ALLOW_EXEC}'),
    });
    const config = loadConfig(dir, { PORT: '9090', HOST_NUMBER: '127', ALLOW_EXEC: 'true' }).config;
    expect(config.server.port).toBe(9090);
    expect(config.server.host).toBe('127');
    expect(config.instances[0]!.exec).toBe(true);
    expect(loadConfig(dir, { HOST_NUMBER: 'h', ALLOW_EXEC: 'false' }).config.server.port).toBe(8080);
  });

  it('uses the ${VAR:-default} default for a variable that is set but empty, as the shell does', () => {
    const dir = configDir({
      'site.yaml': SITE,
      'triggers.yaml': TRIGGERS.replace(
        'system: sys-room',
        'system: sys-room\n    secret: ${ROOM_SECRET:-fallback-secret-0123456789}',
      ),
    });
    expect(loadConfig(dir, { ROOM_SECRET: '' }).config.instances[0]!.secret).toBe('fallback-secret-0123456789');
  });

  it('refuses a duplicate key in a mapping at the second key', () => {
    const dir = configDir({ 'triggers.yaml': TRIGGERS.replace('debounce: 5s', 'debounce: 5s\n    debounce: 10s') });
    expect(loadProblems(dir)).toEqual([at(dir, 'triggers.yaml', 4, 5, '(yaml)', 'Map keys must be unique')]);
  });

  it('refuses custom and language tags without running them', () => {
    const marker = join(tmpdir(), `switchboard-tag-ran-${process.pid}`);
    const dir = configDir({
      'triggers.yaml': yaml(
        'triggers:',
        '  - id: wake',
        `    name: !!js/function "function () { require('fs').writeFileSync('${marker}', 'ran') }"`,
        '    description: !custom hello',
        '    actions: !!python/object:os.system [touch /tmp/x]',
      ),
    });
    const error = invalid(() => loadConfig(dir, {}));
    expect(error.problems.map(formatProblem)).toEqual([
      at(dir, 'triggers.yaml', 3, 11, '(yaml)', 'Unresolved tag: tag:yaml.org,2002:js/function'),
      at(dir, 'triggers.yaml', 4, 18, '(yaml)', 'Unresolved tag: !custom'),
      at(dir, 'triggers.yaml', 5, 14, '(yaml)', 'Unresolved tag: tag:yaml.org,2002:python/object:os.system'),
    ]);
    expect(existsSync(marker)).toBe(false);
  });

  it('refuses YAML 1.1 tags that would make buffers, dates and sets', () => {
    const dir = configDir({
      'site.yaml': SITE.replace(
        'max_volume: 60',
        'key: !!binary aGVsbG8=\n          since: !!timestamp 2001-12-14\n          tags: !!set { a, b }',
      ),
      'triggers.yaml': TRIGGERS,
    });
    expect(loadProblems(dir)).toEqual([
      at(dir, 'site.yaml', 11, 16, '(yaml)', 'Unresolved tag: tag:yaml.org,2002:binary'),
      at(dir, 'site.yaml', 12, 18, '(yaml)', 'Unresolved tag: tag:yaml.org,2002:timestamp'),
      at(dir, 'site.yaml', 13, 17, '(yaml)', 'Unresolved tag: tag:yaml.org,2002:set'),
    ]);
  });

  it('bounds an alias bomb with a problem instead of expanding it', () => {
    const levels = ['lol0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]'];
    for (let i = 1; i <= 10; i++) levels.push(`lol${i}: &l${i} [${Array.from({ length: 10 }, () => `*l${i - 1}`).join(', ')}]`);
    const dir = configDir({
      'bomb.yaml': yaml(
        'triggers:',
        '  - id: wake',
        '    actions:',
        '      - call: Display_1.power',
        '        args:',
        ...levels.map((l) => `          ${l}`),
      ),
    });
    const started = performance.now();
    expect(loadProblems(dir)).toEqual([
      at(dir, 'bomb.yaml', 1, 1, '(yaml)', 'cannot be read: Excessive alias count indicates a resource exhaustion attack'),
    ]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('still allows a few aliases for shared values', () => {
    const dir = configDir({
      'triggers.yaml': yaml('triggers:', '  - id: a', '    methods: &both [GET, POST]', '  - id: b', '    methods: *both'),
    });
    expect(loadConfig(dir, {}).config.triggers.map((t) => t.methods)).toEqual([
      ['GET', 'POST'],
      ['GET', 'POST'],
    ]);
  });

  it('reports a syntax error at its position', () => {
    const dir = configDir({
      'a.yaml': yaml('triggers:', '  - id: wake', '    name: a: b'),
      'b.yaml': yaml('server:', '  port: 1', '\tbad: tab'),
    });
    expect(loadProblems(dir)).toEqual([
      at(dir, 'a.yaml', 3, 11, '(yaml)', 'Nested mappings are not allowed in compact mappings'),
      at(dir, 'b.yaml', 3, 1, '(yaml)', 'Tabs are not allowed as indentation'),
    ]);
  });

  it('lists YAML problems of every file, not just the first', () => {
    const dir = configDir({
      'a.yaml': yaml('server:', '  host: ${HOST_UNSET}', '  host: again'),
      'b.yaml': yaml('triggers:', '  - id: wake', '    name: !secret x', '    description: ${NOTE_UNSET}'),
    });
    expect(loadProblems(dir)).toEqual([
      at(
        dir,
        'a.yaml',
        2,
        9,
        'server.host',
        'environment variable HOST_UNSET is not set; set it, or write ${HOST_UNSET:-default}',
      ),
      at(dir, 'a.yaml', 3, 3, '(yaml)', 'Map keys must be unique'),
      at(dir, 'b.yaml', 3, 11, '(yaml)', 'Unresolved tag: !secret'),
      at(
        dir,
        'b.yaml',
        4,
        18,
        'triggers[0].description',
        'environment variable NOTE_UNSET is not set; set it, or write ${NOTE_UNSET:-default}',
      ),
    ]);
  });
});

describe('the config directory', () => {
  it('reports an empty directory', () => {
    const dir = configDir({});
    expect(invalid(() => loadConfig(dir, {})).problems).toEqual([
      { file: resolve(dir), line: 1, col: 1, path: '(dir)', message: 'no .yaml or .yml files in the config directory' },
    ]);
  });

  it('ignores files and folders that are not YAML files', () => {
    const dir = configDir({ 'notes.txt': 'triggers: nope', 'site.yaml.bak': 'x' });
    mkdirSync(join(dir, 'nested.yaml'));
    expect(invalid(() => loadConfig(dir, {})).problems.map((p) => p.message)).toEqual([
      'no .yaml or .yml files in the config directory',
    ]);
  });

  it('reports a directory that cannot be read and says how to pass one', () => {
    const dir = join(configDir({}), 'missing');
    expect(invalid(() => loadConfig(dir, {})).problems).toEqual([
      { file: dir, line: 1, col: 1, path: '(dir)', message: 'the config directory cannot be read; pass --config DIR' },
    ]);
  });

  it('accepts a file holding only comments', () => {
    const dir = configDir({ 'empty.yaml': '# nothing yet\n', 'triggers.yaml': yaml('triggers:', '  - id: wake') });
    expect(loadConfig(dir, {}).config.triggers).toHaveLength(1);
  });
});

describe('ConfigInvalid', () => {
  it('lists every problem in its message, one formatted line each, and no stack trace', () => {
    const dir = configDir({
      'site.yaml': SITE,
      'triggers.yaml': TRIGGERS.replace('trigger: wake', 'trigger: sleep').replace('system: sys-room', 'system: sys-x'),
    });
    const error = invalid(() => loadConfig(dir, {}));
    expect(error.name).toBe('ConfigInvalid');
    expect(error.message).toBe(
      [
        'The configuration has 2 problems:',
        at(dir, 'triggers.yaml', 9, 14, 'instances[0].trigger', 'trigger "sleep" does not exist; known triggers: wake'),
        at(dir, 'triggers.yaml', 10, 13, 'instances[0].system', 'system "sys-x" does not exist; known systems: sys-room'),
      ].join('\n'),
    );
    expect(error.message).not.toContain('    at ');
  });

  it('says "1 problem" for a single problem', () => {
    expect(new ConfigInvalid([{ file: 'a.yaml', line: 2, col: 3, path: 'server.port', message: 'bad' }]).message).toBe(
      'The configuration has 1 problem:\na.yaml:2:3  server.port  bad',
    );
  });
});

describe('switchboard check', { timeout: 60_000 }, () => {
  const check = (dir: string, env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', 'check', '--config', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      env: Object.fromEntries(
        Object.entries({ ...process.env, NO_COLOR: '1', ...env }).filter(([, value]) => value !== undefined),
      ),
      timeout: 30_000,
    });
  /** How the CLI names a file: relative to its working directory, the repo root. */
  const cliFile = (dir: string, name: string) => relative(ROOT, join(dir, name));

  it('exits 1 and lists every problem in one run, in file order, as file:line:col  path  message, without a stack trace', () => {
    const dir = configDir({
      'site.yaml': SITE.replace('driver: display', 'driver: projector'),
      'triggers.yaml': TRIGGERS.replace('debounce: 5s', 'debounce: 5 seconds').replace(
        'system: sys-room',
        'system: sys-room\n    enabled: maybe',
      ),
    });
    const bad = check(dir);
    expect(bad.status).toBe(1);
    const lines = bad.stderr.trim().split('\n');
    // The schema's refusals do not hide the driver problem: one run finds all three.
    expect(lines).toEqual([
      'config has 3 problems:',
      expect.stringMatching(
        new RegExp(
          `^${escape(cliFile(dir, 'site.yaml'))}:9:17  systems\\[0\\]\\.modules\\[0\\]\\.driver  driver "projector" does not exist; available drivers: .*\\bdisplay\\b`,
        ),
      ),
      `${cliFile(dir, 'triggers.yaml')}:3:15  triggers[0].debounce  "5 seconds" is not a duration; write a number with a unit: 500ms, 5s, 2m, 1h or 1d`,
      `${cliFile(dir, 'triggers.yaml')}:11:14  instances[0].enabled  Invalid input: expected boolean, received string`,
    ]);
    expect(bad.stderr).not.toContain('    at ');
    expect(bad.stdout).toBe('');
  });

  it('reports an unset environment variable at its position and exits 1', () => {
    const dir = configDir({ 'server.yaml': yaml('server:', '  public_url: ${SWITCHBOARD_TEST_SURELY_UNSET_URL}') });
    const result = check(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `${cliFile(dir, 'server.yaml')}:2:15  server.public_url  environment variable SWITCHBOARD_TEST_SURELY_UNSET_URL is not set; set it, or write \${SWITCHBOARD_TEST_SURELY_UNSET_URL:-default}`,
    );
    expect(result.stderr).not.toContain('    at ');
  });

  it('reports an empty config directory and exits 1', () => {
    const dir = configDir({});
    const result = check(dir);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${dir}:1:1  (dir)  no .yaml or .yml files in the config directory`);
    expect(result.stderr).not.toContain('    at ');
  });

  // Uses every driver the example needs (display and meraki), so it passes once they all exist.
  it('accepts the example config in config/ and exits 0', () => {
    const result = check('config', { MERAKI_VALIDATOR: undefined, MERAKI_SECRET: undefined });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/: OK \(\d+ zones, \d+ systems, \d+ modules, \d+ triggers, \d+ instances\)/);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('condition problems', () => {
  it('reports a bad cron expression, time zone, at time and mode at their positions', async () => {
    const dir = configDir({
      'site.yaml': SITE,
      'triggers.yaml': yaml(
        'triggers:', //                                   1
        '  - id: wake', //                                2
        '    mode: sometimes', //                         3
        '    conditions:', //                             4
        '      - schedule: "61 * * * * *"', //            5
        '        timezone: Mars/Olympus', //              6
        '      - at: tomorrow', //                        7
        'instances:', //                                  8
        '  - { id: inst-room, trigger: wake, system: sys-room }', // 9
      ),
    });
    expect(await prepareProblems(dir)).toEqual([
      at(dir, 'triggers.yaml', 3, 11, 'triggers[0].mode', 'Invalid option: expected one of "single"|"queued"|"parallel"'),
      at(dir, 'triggers.yaml', 5, 19, 'triggers[0].conditions[0].schedule', 'second 61 is out of range 0-59'),
      at(
        dir,
        'triggers.yaml',
        6,
        19,
        'triggers[0].conditions[0].timezone',
        'not a time zone; use an IANA name such as Australia/Sydney or UTC',
      ),
      at(
        dir,
        'triggers.yaml',
        7,
        13,
        'triggers[0].conditions[1].at',
        'write a time in ISO 8601 with its offset, such as 2026-12-24T17:00:00+11:00',
      ),
    ]);
  });

  it('reports a compare condition reading a module the instance`s system does not have', async () => {
    const dir = configDir({
      'site.yaml': SITE,
      'triggers.yaml': yaml(
        'triggers:',
        '  - id: wake',
        '    conditions:',
        '      - compare: { left: Display_1.power, op: equal, right: Lamp_1.on }',
        'instances:',
        '  - { id: inst-room, trigger: wake, system: sys-room }',
      ),
    });
    expect(await prepareProblems(dir)).toEqual([
      at(
        dir,
        'triggers.yaml',
        4,
        61,
        'triggers[0].conditions[0].compare.right',
        'instance "inst-room" reads Lamp_1.on on system "sys-room", which has no module Lamp_1; it has: Display_1',
      ),
    ]);
  });
});
