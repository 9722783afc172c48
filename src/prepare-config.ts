// Loads a config directory and checks it against the drivers: what `check` runs and
// what `start` runs first. Throws ConfigInvalid listing every problem.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, type LoadedConfig } from './config/load-config.js';
import { ConfigInvalid, type Problem } from './config/problems.js';
import { checkModules } from './drivers/check-modules.js';
import { loadDrivers, type DriverRegistry } from './drivers/registry.js';
import { checkSubscriptionFiles } from './outbound/check-subscription-files.js';
import { templateProblems } from './triggers/template.js';

export interface PreparedConfig {
  loaded: LoadedConfig;
  registry: DriverRegistry;
}

export async function prepareConfig(
  configDir: string,
  options: { env?: NodeJS.ProcessEnv; registry?: DriverRegistry } = {},
): Promise<PreparedConfig> {
  const loaded = loadConfig(configDir, options.env ?? process.env);
  const registry = options.registry ?? (await loadDrivers());
  const problems: Problem[] = [...checkModules(loaded, registry), ...tlsProblems(loaded), ...checkSubscriptionFiles(loaded)];
  loaded.config.triggers.forEach((trigger, t) =>
    trigger.actions.forEach((action, a) => {
      for (const message of templateProblems(action)) problems.push(loaded.locate(['triggers', t, 'actions', a], message));
    }),
  );
  loaded.config.subscriptions.forEach((subscription, s) =>
    (['on_failure', 'on_exhausted'] as const).forEach((hook) =>
      subscription[hook].forEach((action, a) => {
        for (const message of templateProblems(action)) problems.push(loaded.locate(['subscriptions', s, hook, a], message));
      }),
    ),
  );
  const used = new Set(loaded.config.systems.flatMap((s) => s.modules.map((m) => m.driver)));
  for (const failure of registry.failures) {
    problems.push({
      file: `drivers/${failure.folder}`,
      line: 1,
      col: 1,
      path: '(driver)',
      message: `could not be loaded: ${failure.reason}${used.has(failure.folder) ? '' : ' (not used by this config)'}`,
    });
  }
  if (problems.length > 0) throw new ConfigInvalid(problems);
  return { loaded, registry };
}

/** The TLS certificate and key must be readable files (relative to the config directory). */
function tlsProblems(loaded: LoadedConfig): Problem[] {
  const tls = loaded.config.server.tls;
  if (!tls) return [];
  return (['cert', 'key'] as const).flatMap((name) => {
    const file = resolve(loaded.dir, tls[name]);
    try {
      readFileSync(file);
      return [];
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
      return [loaded.locate(['server', 'tls', name], `${file} ${why}; give a PEM file, relative to the config directory`)];
    }
  });
}
