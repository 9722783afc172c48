// Check 6 without a server: exec's values, its parameters (400 before 403), the instance's
// exec flag (403) and the module's webhook methods (404).
import { beforeAll, describe, expect, it } from 'vitest';
import { fixtureCatalog, fixtureModules, fixtureRequest } from '../../../test/support/check-fixtures.js';
import { probeDriver } from '../../../test/support/test-drivers.js';
import type { ModuleHost } from '../../drivers/module-host.js';
import { execTarget } from './exec-target.js';

const catalog = fixtureCatalog();
const execInstance = catalog.get('trig-exec')!;
const plainInstance = catalog.get('trig-a')!;
let modules: ModuleHost;
beforeAll(async () => {
  modules = await fixtureModules(probeDriver);
});

const query = (q: Record<string, string>) => fixtureRequest({ query: { secret: 's', ...q } });

describe('execTarget', () => {
  it.each(['true', '1', 'TRUE', 'True'])('reaches the module method for exec=%s', (exec) => {
    const checked = execTarget(query({ exec, mod: 'Probe', method: 'echo' }), execInstance, modules);
    expect(checked).toMatchObject({ passed: { method: 'echo', module: { address: 'Probe_1' } } });
  });

  it.each(['false', '0', 'FALSE'])('is a plain fire for exec=%s, and without exec', (exec) => {
    expect(execTarget(query({ exec, mod: 'Probe', method: 'echo' }), execInstance, modules)).toEqual({ passed: undefined });
    expect(execTarget(query({ mod: 'Probe', method: 'echo' }), execInstance, modules)).toEqual({ passed: undefined });
  });

  it('takes everything from the path form', () => {
    const request = fixtureRequest({
      route: '/webhook/:trigger/notify/:secret/:mod/:index/:method',
      params: { trigger: 'trig-exec', secret: 's', mod: 'Probe', index: '1', method: 'echo' },
      query: {},
    });
    expect(execTarget(request, execInstance, modules)).toMatchObject({ passed: { method: 'echo' } });
  });

  it.each([
    [{ exec: 'maybe', mod: 'Probe', method: 'echo' }, 'bad_parameter', '`exec` must be true, 1, false or 0.'],
    [{ exec: 'true', method: 'echo' }, 'missing_parameter', 'exec needs the `mod` parameter'],
    [{ exec: 'true', mod: 'Probe' }, 'missing_parameter', 'exec needs the `method` parameter'],
    [{ exec: 'true', mod: 'Pro be', method: 'echo' }, 'bad_parameter', '`mod` must be'],
    [{ exec: 'true', mod: 'Probe', method: 'echo()' }, 'bad_parameter', '`method` must be'],
    [{ exec: 'true', mod: 'Probe', method: 'echo', index: '0' }, 'bad_parameter', '`index` must be'],
  ])('answers 400 for %o, before the instance is asked whether it allows exec', (q, code, message) => {
    for (const instance of [execInstance, plainInstance]) {
      expect(execTarget(query(q), instance, modules)).toMatchObject({
        refused: { status: 400, code, body: { message: expect.stringContaining(message) } },
      });
    }
  });

  it('answers 403 when the instance does not allow exec', () => {
    expect(execTarget(query({ exec: 'true', mod: 'Probe', method: 'echo' }), plainInstance, modules)).toMatchObject({
      refused: { status: 403, code: 'exec_forbidden' },
    });
  });

  it.each([
    [{ mod: 'Nope', method: 'echo' }, 'System sys-a has no module Nope_1.'],
    [{ mod: 'Probe', index: '2', method: 'echo' }, 'System sys-a has no module Probe_2.'],
    [{ mod: 'Probe', method: 'nope' }, 'Probe_1 has no webhook method "nope".'],
    [{ mod: 'Probe', method: 'record' }, 'Probe_1 has no webhook method "record".'],
  ])('answers 404 module_not_found for %o', (q, message) => {
    expect(execTarget(query({ exec: 'true', ...q }), execInstance, modules)).toMatchObject({
      refused: { status: 404, code: 'module_not_found', body: { message } },
    });
  });
});
