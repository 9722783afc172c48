// /readyz through a real listening server: every part of the engine's lifecycle, in the
// order they start, with its state and health; a module that failed to start is named
// without making the engine unready.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokenDriver } from './support/test-drivers.js';
import { startTestEngine, type TestEngine } from './support/test-engine.js';

let t: TestEngine;
beforeAll(async () => {
  t = await startTestEngine({
    extraDrivers: [brokenDriver],
    files: {
      'site.yaml':
        'systems:\n  - id: sys-r\n    modules: [{ driver: display }, { driver: broken }]\ntriggers: []\ninstances: []\n',
    },
  });
});
afterAll(async () => t.cleanup());

describe('/readyz', () => {
  it('lists every part in the order they start, each started, and names a module that failed', async () => {
    const response = await fetch(t.url('/readyz'));
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      ready: boolean;
      config: { generation: number; hash: string };
      parts: Record<string, { state: string; ok: boolean; detail: string }>;
    };
    expect(body.ready).toBe(true);
    expect(Object.keys(body.parts)).toEqual([
      'data_dir',
      'store',
      'mail',
      'module_state',
      'node',
      'modules',
      'runs',
      'config',
      'retention',
      'outbound',
      'listener',
      'overrides',
      'keys_sweep',
    ]);
    for (const part of Object.values(body.parts)) expect(part).toMatchObject({ state: 'started', ok: true });
    expect(body.parts.store!.detail).toBe('ok');
    expect(body.parts.modules!.detail).toBe('1 running; failed: sys-r/Broken_1 (cannot reach 10.0.0.9:4352)');
    expect(body.parts.outbound!.detail).toMatch(/./);
    expect(body.parts.config!.detail).toMatch(/^generation 1 \([0-9a-f]{12}\): 0 instances, 0 schedules$/);
    expect(body.config).toEqual({ generation: 1, hash: t.engine.live.current.hash });
  });
});
