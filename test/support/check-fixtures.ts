// Fixtures for the checks' unit tests: a catalog, modules and requests built from config
// objects, with no server, store or clock.
import { configSchema } from '../../src/config/schema.js';
import { ModuleHost } from '../../src/drivers/module-host.js';
import { registryOf } from '../../src/drivers/registry.js';
import type { Driver } from '../../src/drivers/api.js';
import { systemClock } from '../../src/clock.js';
import { InstanceCatalog } from '../../src/triggers/instance-catalog.js';
import type { InboundRequest } from '../../src/inbound/inbound-request.js';

export const SECRET = 'fixture-secret-0123456789';

export function fixtureConfig(extra: { triggers?: unknown[]; instances?: unknown[] } = {}) {
  return configSchema.parse({
    systems: [{ id: 'sys-a', modules: [{ driver: 'probe' }] }],
    triggers: [
      { id: 't-post', methods: ['POST', 'PUT'] },
      { id: 't-off', webhook: false },
      { id: 't-allow', allow_from: ['192.0.2.0/24'] },
      ...(extra.triggers ?? []),
    ],
    instances: [
      { id: 'trig-a', trigger: 't-post', system: 'sys-a', secret: SECRET },
      { id: 'trig-exec', trigger: 't-post', system: 'sys-a', secret: SECRET, exec: true },
      { id: 'trig-disabled', trigger: 't-post', system: 'sys-a', secret: SECRET, enabled: false },
      { id: 'trig-off', trigger: 't-off', system: 'sys-a', secret: SECRET },
      { id: 'trig-allow', trigger: 't-allow', system: 'sys-a', secret: SECRET },
      { id: 'notify', trigger: 't-post', system: 'sys-a', secret: SECRET },
      ...(extra.instances ?? []),
    ],
  });
}

export function fixtureCatalog(): InstanceCatalog {
  return new InstanceCatalog(fixtureConfig(), new Map());
}

export async function fixtureModules(driver: Driver): Promise<ModuleHost> {
  const noop = () => {};
  const log = { debug: noop, info: noop, warn: noop, error: noop };
  const host = new ModuleHost(fixtureConfig(), registryOf([driver]), {
    clock: systemClock,
    log,
    events: { emit: async () => undefined },
  });
  await host.startAll();
  return host;
}

export function fixtureRequest(overrides: Partial<InboundRequest> = {}): InboundRequest {
  return {
    method: 'POST',
    route: '/webhook/:trigger/notify',
    params: { trigger: 'trig-a' },
    query: { secret: SECRET },
    headers: {},
    clientIp: '127.0.0.1',
    mediaKind: 'other',
    receivedAt: 0,
    ...overrides,
  };
}
