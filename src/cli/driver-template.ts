// What `switchboard drivers new NAME` writes: a small driver that shows each part (settings,
// state, a method, an event) and a test on the driver test kit that passes as generated.

export interface DriverFiles {
  'driver.ts': string;
  'driver.test.ts': string;
}

/** A driver name as YAML's `driver:` takes it and as a folder name: lower case, digits, dashes. */
export const DRIVER_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** `door-bell` → `DoorBell`, the module name in addresses (`DoorBell_1`). */
export function moduleNameOf(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The two files, importing the driver API and the kit from `apiDir` (a relative path ending in src/drivers). */
export function driverTemplate(name: string, apiDir: string): DriverFiles {
  const module = moduleNameOf(name);
  return {
    'driver.ts': `// ${module}: say what it drives and how it is reached.
import { defineDriver, z } from '${apiDir}/api.js';

export const driver = defineDriver({
  name: '${name}',
  module: '${module}',
  description: 'Counts what it is told to count.',
  settings: z.strictObject({ step: z.number().int().positive().default(1) }),
  state: z.object({ count: z.number() }),
  initialState: () => ({ count: 0 }),
  events: {
    '${name}.counted': { description: 'The count changed.', data: z.object({ count: z.number() }) },
  },
  methods: {
    count: {
      description: 'Adds times × step to the count.',
      args: z.strictObject({ times: z.number().int().min(1).default(1) }),
      run: async (ctx, { times }) => {
        const count = ctx.state.count + times * ctx.settings.step;
        ctx.setState({ count });
        await ctx.emit('${name}.counted', { count });
        return { count };
      },
    },
  },
});
`,
    'driver.test.ts': `// The ${name} driver on the driver test kit: its method, state, event and argument checks.
import { describe, expect, it } from 'vitest';
import { ModuleCallInvalid, startDriver } from '${apiDir}/testing.js';
import { driver } from './driver.js';

describe('${name} driver', () => {
  it('counts by its step, keeps the count in state and emits it', async () => {
    const m = await startDriver(driver, { settings: { step: 2 } });
    expect(await m.call('count', { times: 3 })).toEqual({ count: 6 });
    expect(m.state.count).toBe(6);
    expect(m.stateChanges).toEqual([{ key: 'count', old: 0, new: 6 }]);
    expect(m.events).toEqual([{ type: '${name}.counted', data: { count: 6 } }]);
  });

  it('refuses bad arguments as the engine does, leaving the count alone', async () => {
    const m = await startDriver(driver);
    await expect(m.callRaw('count', { times: 0 })).rejects.toBeInstanceOf(ModuleCallInvalid);
    expect(m.state.count).toBe(0);
  });
});
`,
  };
}
