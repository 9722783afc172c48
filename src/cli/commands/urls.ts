// `switchboard urls`: every trigger instance's URL, ready to paste into a third party's
// dashboard, and for an exec instance one URL per webhook method of each module in its
// system, in the path form (no query string for a dashboard to mangle). It prints secrets
// on purpose: it is the operator's tool. The base is server.public_url, else the address
// the running engine listens on, else the config's host and port.
import { systemClock } from '../../clock.js';
import { dataDirOf } from '../../config/data-dir.js';
import type { Config } from '../../config/schema.js';
import { moduleAddresses } from '../../drivers/addresses.js';
import type { DriverRegistry } from '../../drivers/registry.js';
import { randomIds } from '../../ids.js';
import { instanceSecrets } from '../../instance-secrets.js';
import { applyOverrides, previousSecrets } from '../../overrides/overrides.js';
import { prepareConfig } from '../../prepare-config.js';
import { runningAddress } from '../../store/engine-address.js';
import { configDirOf, storeOptions, type OptionValues } from '../options.js';
import { withStore } from '../with-store.js';

export const options = { ...storeOptions, base: { type: 'string', value: 'URL' } } as const;

export async function urls(values: OptionValues<typeof options>): Promise<number> {
  const { loaded, registry } = await prepareConfig(configDirOf(values));
  const { config } = loaded;
  const base = (
    values.base ??
    config.server.public_url ??
    runningAddress(dataDirOf(config, loaded.dir, values.data)) ??
    localBase(config.server.host, config.server.port, config.server.tls !== undefined)
  ).replace(/\/+$/, '');
  return withStore(
    values,
    async (store) => {
      // As the engine serves them: a rotated secret and an override's enabled apply.
      const overrides = await store.overrides.all();
      const serving = applyOverrides(config, overrides);
      const previous = previousSecrets(overrides);
      const generated = await instanceSecrets(serving, store, randomIds, systemClock);
      const now = Date.now();
      for (const instance of serving.instances) {
        const secret = encodeURIComponent(instance.secret ?? generated.get(instance.id)!);
        const id = encodeURIComponent(instance.id);
        const until = previous.get(instance.id)?.until;
        const flags = [
          instance.enabled ? '' : 'disabled',
          instance.exec ? 'exec' : '',
          until !== undefined && until > now ? `the previous secret passes until ${new Date(until).toISOString()}` : '',
        ]
          .filter(Boolean)
          .join(', ');
        console.log(`${instance.id}\t${base}/webhook/${id}/notify?secret=${secret}${flags ? `\t(${flags})` : ''}`);
        if (!instance.exec) continue;
        for (const { address, method } of execTargets(serving, registry, instance.system)) {
          const [name, index] = address.split('_');
          console.log(
            `${instance.id}\t${base}/webhook/${id}/notify/${secret}/${name}/${index}/${method}\t(exec ${address}.${method})`,
          );
        }
      }
      return 0;
    },
    loaded,
  );
}

/** The webhook methods of every module of a system, by address. */
function execTargets(config: Config, registry: DriverRegistry, systemId: string): { address: string; method: string }[] {
  const system = config.systems.find((s) => s.id === systemId);
  if (!system) return [];
  const addresses = moduleAddresses(system.modules, registry);
  return system.modules.flatMap((module, i) => {
    const address = addresses[i];
    const driver = registry.get(module.driver);
    return address && driver ? Object.keys(driver.webhooks).map((method) => ({ address, method })) : [];
  });
}

function localBase(host: string, port: number, tls: boolean): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `${tls ? 'https' : 'http'}://${shown}:${port}`;
}
