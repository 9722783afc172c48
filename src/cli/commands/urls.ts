// `switchboard urls`: every trigger instance's full URL, ready to paste into a
// third party's dashboard. It prints secrets on purpose: it is the operator's tool.
import { systemClock } from '../../clock.js';
import { instanceSecrets } from '../../engine.js';
import { randomIds } from '../../ids.js';
import { prepareConfig } from '../../prepare-config.js';
import { configDirOf, type CliOptions } from '../options.js';
import { withStore } from '../with-store.js';

export async function urls(values: CliOptions): Promise<number> {
  const { loaded } = await prepareConfig(configDirOf(values));
  const { config } = loaded;
  return withStore(
    values,
    async (store) => {
      const generated = await instanceSecrets(config, store, randomIds, systemClock);
      const base = (values.base ?? config.server.public_url ?? localBase(config.server.host, config.server.port)).replace(
        /\/+$/,
        '',
      );
      for (const instance of config.instances) {
        const secret = instance.secret ?? generated.get(instance.id)!;
        const url = `${base}/webhook/${encodeURIComponent(instance.id)}/notify?secret=${encodeURIComponent(secret)}`;
        const flags = [instance.enabled ? '' : 'disabled', instance.exec ? 'exec' : ''].filter(Boolean).join(',');
        console.log(`${instance.id}\t${url}${flags ? `\t(${flags})` : ''}`);
      }
      return 0;
    },
    loaded,
  );
}

function localBase(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}
