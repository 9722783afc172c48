// Covers driver discovery: the shipped drivers/ folder, and a temporary folder of good, broken and empty driver folders.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineDriver, z } from './api.js';
import { DEFAULT_DRIVERS_DIR, loadDrivers, registryOf, type DriverRegistry } from './registry.js';

const API_URL = pathToFileURL(fileURLToPath(new URL('./api.ts', import.meta.url))).href;

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

  it('finds display, http and meraki with no failures', () => {
    expect(registry.names()).toEqual(['display', 'http', 'meraki']);
    expect(registry.failures).toEqual([]);
  });

  it('answers each driver with its module name and description', () => {
    expect(registry.get('display')).toMatchObject({
      kind: 'switchboard.driver',
      module: 'Display',
      description: expect.stringContaining('simulated display'),
    });
    expect(registry.get('http')).toMatchObject({
      kind: 'switchboard.driver',
      module: 'Http',
      description: expect.stringContaining('HTTP API'),
    });
    expect(registry.get('meraki')).toMatchObject({
      kind: 'switchboard.driver',
      module: 'Meraki',
      description: expect.stringContaining('Meraki Scanning API'),
    });
    for (const name of registry.names()) expect(registry.get(name)!.description.length).toBeGreaterThan(0);
  });

  it('answers the same as loading DEFAULT_DRIVERS_DIR explicitly', async () => {
    expect(DEFAULT_DRIVERS_DIR).toBe(fileURLToPath(new URL('../../drivers', import.meta.url)));
    expect((await loadDrivers(DEFAULT_DRIVERS_DIR)).names()).toEqual(registry.names());
  });

  it('answers undefined for a driver that does not exist', () => {
    expect(registry.get('projector')).toBeUndefined();
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
    writeFileSync(join(dir, 'loose-file.ts'), 'throw new Error("a file beside the folders is not a driver");\n');
    registry = await loadDrivers(dir);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads the valid driver', () => {
    expect(registry.names()).toEqual(['lamp']);
    expect(registry.get('lamp')).toMatchObject({ kind: 'switchboard.driver', name: 'lamp', module: 'Lamp' });
  });

  it('keeps the first folder to claim a name and reports the later one', () => {
    expect(registry.get('lamp')!.module).toBe('Lamp');
    expect(registry.failures).toContainEqual({ folder: 'd-lamp-again', reason: 'driver name "lamp" is already taken' });
  });

  it('reports a driver that throws at import with its own message', () => {
    expect(registry.failures).toContainEqual({
      folder: 'b-explodes',
      reason: expect.stringContaining('the lamp factory burned down'),
    });
  });

  it('reports an export that is not made with defineDriver', () => {
    const reason = 'it does not export `driver` made with defineDriver';
    expect(registry.failures).toContainEqual({ folder: 'c-not-a-driver', reason });
    expect(registry.failures).toContainEqual({ folder: 'f-no-export', reason });
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
