// ModulePlacement on a fake cluster and fake time: a module placed here starts; while the
// database cannot be reached the node keeps it until its lease runs out, then stops it
// (another node may run it by then); a lease another node holds leaves the module elsewhere.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { driver as display } from '../../drivers/display/driver.js';
import { captureLogs } from '../../test/support/log-capture.js';
import { systemClock } from '../clock.js';
import type { ModuleHost } from '../drivers/module-host.js';
import { ModuleInstance } from '../drivers/module-instance.js';
import type { ClusterRepo, ModuleLease } from '../store/cluster-repo.js';
import type { ModuleStateRepo } from '../store/module-state-repo.js';
import { HEARTBEAT_MS, LIVE_WITHIN_MS } from '../store/node-liveness.js';
import { ModulePlacement } from './module-placement.js';
import type { HttpRemoteModules } from './remote-modules.js';

function setup(leases: ModuleLease[] = []) {
  const logs = captureLogs();
  const module = new ModuleInstance('sys-a', 'Display_1', display, display.settings.parse({}), {
    clock: systemClock,
    log: { debug() {}, info() {}, warn() {}, error() {} },
    events: { emit: async () => undefined },
    stateChanged() {},
  });
  let reachable = true;
  const cluster = {
    liveNodes: async () => {
      if (!reachable) throw new Error('connection refused');
      return [{ id: 'node-a', url: 'http://a' }];
    },
    leases: async () => leases,
    hold: async () => (leases.length === 0 ? { epoch: 1, from: null } : undefined),
  } as unknown as ClusterRepo;
  const placement = new ModulePlacement({
    cluster,
    moduleStates: { all: async () => [] } as unknown as ModuleStateRepo,
    modules: { all: () => [module] } as unknown as ModuleHost,
    remote: { close() {} } as unknown as HttpRemoteModules,
    node: 'node-a',
    log: logs.log,
  });
  return { module, placement, logs, cutOff: () => (reachable = false) };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('ModulePlacement', () => {
  it('starts a module placed here, keeps it while its lease lasts unrenewed, then stops it', async () => {
    const { module, placement, logs, cutOff } = setup();
    await placement.start();
    expect(module.status).toBe('running');
    expect(placement.here(module)).toBe(true);
    cutOff();
    // Rounds fail while the lease lasts: the module keeps running.
    await vi.advanceTimersByTimeAsync(LIVE_WITHIN_MS - 1);
    expect(module.status).toBe('running');
    // The first failed round past the lease stops it.
    await vi.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(module.status).toBe('elsewhere');
    expect(placement.here(module)).toBe(false);
    expect(logs.text()).toMatch(/module lease ran out unrenewed \(the database cannot be reached\); stopped here/);
    await placement.stop();
  });

  it('leaves a module whose lease it is refused to the node that holds it', async () => {
    const other: ModuleLease = {
      module: 'sys-a/Display_1',
      node_id: 'node-a-peer',
      epoch: 3,
      lease_until: Date.now() + 10_000,
      url: 'http://b',
    };
    const { module, placement } = setup([other]);
    await placement.start();
    // The database refuses this node the lease (hold): the module stays where it runs.
    expect(module.status).toBe('elsewhere');
    await placement.stop();
  });
});
