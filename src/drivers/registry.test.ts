// Covers driver discovery: the shipped drivers/ folder (whatever it holds), a fixture folder
// of known drivers, several folders at once, and a temporary folder of good, broken and empty
// driver folders.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineDriver, z } from './api.js';
import { DEFAULT_DRIVERS_DIR, loadDrivers, registryOf, type DriverRegistry } from './registry.js';

const API_URL = pathToFileURL(fileURLToPath(new URL('./api.ts', import.meta.url))).href;
const FIXTURES = fileURLToPath(new URL('../../test/fixtures/drivers', import.meta.url));
const FIXTURES_TWICE = fileURLToPath(new URL('../../test/fixtures/drivers-twice', import.meta.url));

/** A driver file that defines a driver called `name` through the real driver API. */
function driverSource(name: string, module: string): string {
  return [
    `import { defineDriver, z } from ${JSON.stringify(API_URL)};`,
    'export const driver = defineDriver({',
    `  name: ${JSON.stringify(name)},`,
    `  module: ${JSON.stringify(module)},`,
    `  description: 'A lamp written for the registry test.',`,
    '  settings: z.strictObject({}),',
    '  state: z.object({ on: z.boolean() }),',
    '  initialState: () => ({ on: false }),',
    '  methods: { toggle: { args: z.strictObject({}), run: (ctx) => ctx.setState({ on: !ctx.state.on }) } },',
    '});',
    '',
  ].join('\n');
}

describe('loadDrivers on the shipped drivers/ folder', () => {
  let registry: DriverRegistry;
  beforeAll(async () => {
    registry = await loadDrivers();
  });

  it('loads every driver folder without a failure', () => {
    expect(registry.failures).toEqual([]);
    expect(registry.names().length).toBeGreaterThan(0);
  });

  it('answers each driver by its name, made with defineDriver, with a module name and a description', () => {
    for (const name of registry.names()) {
      expect(registry.get(name)).toMatchObject({ kind: 'switchboard.driver', name, module: expect.stringMatching(/^\w+$/) });
      expect(registry.get(name)!.description.length).toBeGreaterThan(0);
    }
  });

  it('answers the same as loading DEFAULT_DRIVERS_DIR explicitly', async () => {
    expect(DEFAULT_DRIVERS_DIR).toBe(fileURLToPath(new URL('../../drivers', import.meta.url)));
    expect((await loadDrivers(DEFAULT_DRIVERS_DIR)).names()).toEqual(registry.names());
  });

  it('answers undefined for a driver that does not exist', () => {
    expect(registry.get('no-such-driver')).toBeUndefined();
  });
});

describe('loadDrivers on the fixture folder test/fixtures/drivers', () => {
  let registry: DriverRegistry;
  beforeAll(async () => {
    registry = await loadDrivers(FIXTURES);
  });

  it('finds exactly its drivers, names sorted, with no failures', () => {
    expect(registry.names()).toEqual(['fixture-bell', 'fixture-lamp']);
    expect(registry.failures).toEqual([]);
  });

  it('answers each with its definition: module name, methods, webhooks and events', () => {
    const lamp = registry.get('fixture-lamp')!;
    expect(lamp).toMatchObject({
      kind: 'switchboard.driver',
      module: 'FixtureLamp',
      description: 'A lamp that exists only in the tests.',
    });
    expect(Object.keys(lamp.methods)).toEqual(['power']);
    expect(Object.keys(lamp.webhooks)).toEqual(['status']);
    expect(Object.keys(lamp.events)).toEqual(['fixture_lamp.burned_out']);
    expect(registry.get('fixture-bell')).toMatchObject({ module: 'FixtureBell', webhooks: {}, events: {} });
  });
});

describe('loadDrivers on several folders', () => {
  it('adds the drivers of a second folder to the shipped ones', async () => {
    const shipped = await loadDrivers();
    const both = await loadDrivers([DEFAULT_DRIVERS_DIR, FIXTURES]);
    expect(both.names()).toEqual([...shipped.names(), 'fixture-bell', 'fixture-lamp'].sort());
    expect(both.failures).toEqual([]);
  });

  it('says where each driver came from: the shipped folder or another', async () => {
    const both = await loadDrivers([DEFAULT_DRIVERS_DIR, FIXTURES]);
    expect(both.source('display')).toEqual({ kind: 'shipped', path: join(DEFAULT_DRIVERS_DIR, 'display') });
    expect(both.source('fixture-lamp')).toEqual({ kind: 'folder', path: join(FIXTURES, 'lamp') });
    expect(registryOf([]).source('display')).toBeUndefined();
  });

  it('keeps the first folder to define a name and reports the other, naming both folders', async () => {
    const registry = await loadDrivers([FIXTURES, FIXTURES_TWICE]);
    expect(registry.get('fixture-lamp')!.module).toBe('FixtureLamp');
    expect(registry.failures).toEqual([
      {
        folder: 'lamp-again',
        path: join(FIXTURES_TWICE, 'lamp-again'),
        reason: `driver name "fixture-lamp" is defined twice, in ${join(FIXTURES, 'lamp')} and in ${join(FIXTURES_TWICE, 'lamp-again')}; the first is used`,
      },
    ]);
  });

  it('loads a folder given twice once', async () => {
    const registry = await loadDrivers([FIXTURES, `${FIXTURES}/`, join(FIXTURES, '..', 'drivers')]);
    expect(registry.names()).toEqual(['fixture-bell', 'fixture-lamp']);
    expect(registry.failures).toEqual([]);
  });
});

describe('loadDrivers on a folder with good, broken and empty driver folders', () => {
  let dir: string;
  let registry: DriverRegistry;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'switchboard-drivers-'));
    const folder = (name: string, files: Record<string, string>) => {
      mkdirSync(join(dir, name));
      for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, name, file), text);
    };
    folder('a-lamp', { 'driver.ts': driverSource('lamp', 'Lamp') });
    folder('b-explodes', { 'driver.ts': "throw new Error('the lamp factory burned down');\nexport const driver = undefined;\n" });
    folder('c-not-a-driver', { 'driver.ts': "export const driver = { name: 'imposter', module: 'Imposter', methods: {} };\n" });
    folder('d-lamp-again', { 'driver.ts': driverSource('lamp', 'OtherLamp') });
    folder('e-empty', { 'README.md': 'nothing here yet\n' });
    folder('f-no-export', { 'driver.ts': 'export const notDriver = 1;\n' });
    folder('g-javascript', { 'driver.js': driverSource('js-lamp', 'JsLamp') });
    writeFileSync(join(dir, 'loose-file.ts'), 'throw new Error("a file beside the folders is not a driver");\n');
    registry = await loadDrivers(dir);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the valid drivers, TypeScript and JavaScript', () => {
    expect(registry.names()).toEqual(['js-lamp', 'lamp']);
    expect(registry.get('lamp')).toMatchObject({ kind: 'switchboard.driver', name: 'lamp', module: 'Lamp' });
    expect(registry.get('js-lamp')).toMatchObject({ kind: 'switchboard.driver', module: 'JsLamp' });
  });

  it('keeps the first folder to claim a name and reports the later one with both paths', () => {
    expect(registry.get('lamp')!.module).toBe('Lamp');
    expect(registry.failures).toContainEqual({
      folder: 'd-lamp-again',
      path: join(dir, 'd-lamp-again'),
      reason: `driver name "lamp" is defined twice, in ${join(dir, 'a-lamp')} and in ${join(dir, 'd-lamp-again')}; the first is used`,
    });
  });

  it('reports a driver that throws at import with its own message', () => {
    expect(registry.failures).toContainEqual({
      folder: 'b-explodes',
      path: join(dir, 'b-explodes'),
      reason: expect.stringContaining('the lamp factory burned down'),
    });
  });

  it('reports an export that is not made with defineDriver', () => {
    const reason = 'it does not export `driver` made with defineDriver';
    expect(registry.failures).toContainEqual({ folder: 'c-not-a-driver', path: join(dir, 'c-not-a-driver'), reason });
    expect(registry.failures).toContainEqual({ folder: 'f-no-export', path: join(dir, 'f-no-export'), reason });
  });

  it('skips a folder without a driver file, and loose files, silently', () => {
    expect(registry.failures.map((f) => f.folder)).toEqual(['b-explodes', 'c-not-a-driver', 'd-lamp-again', 'f-no-export']);
    for (const failure of registry.failures) expect(failure.reason.length).toBeGreaterThan(0);
  });

  it('answers an empty registry for a folder that does not exist', async () => {
    const missing = await loadDrivers(join(dir, 'no-such-folder'));
    expect(missing.names()).toEqual([]);
    expect(missing.failures).toEqual([]);
  });
});

describe('registryOf', () => {
  const make = (name: string) =>
    defineDriver({
      name,
      module: name.toUpperCase(),
      description: `the ${name} driver`,
      settings: z.strictObject({}),
      state: z.object({}),
      initialState: () => ({}),
      methods: {},
    });

  it('answers drivers given as an array by name, names sorted', () => {
    const zeta = make('zeta');
    const alpha = make('alpha');
    const registry = registryOf([zeta, alpha]);
    expect(registry.names()).toEqual(['alpha', 'zeta']);
    expect(registry.get('zeta')).toBe(zeta);
    expect(registry.get('alpha')).toBe(alpha);
    expect(registry.get('beta')).toBeUndefined();
    expect(registry.drivers.size).toBe(2);
    expect(registry.failures).toEqual([]);
  });

  it('keeps a map and the failures it is given', () => {
    const one = make('one');
    const failures = [{ folder: 'broken', reason: 'because' }];
    const registry = registryOf(new Map([['one', one]]), failures);
    expect(registry.get('one')).toBe(one);
    expect(registry.failures).toEqual(failures);
  });
});
