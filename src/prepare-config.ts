// Loads a config directory and checks it against the drivers: what `check` runs and what
// `start` runs first. Every check runs in one pass, whatever the others found, and throws
// ConfigInvalid listing every problem once, in file order.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TemplateUse } from './config/argument-problems.js';
import { checkReferences } from './config/check-references.js';
import { tookWhole } from './config/config-parts.js';
import { readConfig, type ConfigReading, type LoadedConfig } from './config/load-config.js';
import { inFileOrder } from './config/problem-order.js';
import { ConfigInvalid, type Problem } from './config/problems.js';
import { configSchema } from './config/schema.js';
import { checkModules } from './drivers/check-modules.js';
import { addPackageDrivers, refusalProblems } from './drivers/package-drivers.js';
import { loadDrivers, type DriverRegistry } from './drivers/registry.js';
import { checkSubscriptionFiles } from './outbound/check-subscription-files.js';
import { render, templateProblems } from './triggers/template.js';

export interface PreparedConfig {
  loaded: LoadedConfig;
  registry: DriverRegistry;
}

export async function prepareConfig(
  configDir: string,
  options: { env?: NodeJS.ProcessEnv; registry?: DriverRegistry } = {},
): Promise<PreparedConfig> {
  const reading = readConfig(configDir, options.env ?? process.env);
  const { dir, config, locate, parts, problems } = reading;
  // The folders' drivers, then the packages the config lists: the modules are checked against both.
  const folders = options.registry ?? (await loadDrivers());
  const { registry, refusals } = await addPackageDrivers(folders, parts.drivers ?? [], dir);
  // Loops, not push(...): a spread of 100,000s of problems overflows the call stack.
  const found = [
    checkReferences(parts, locate),
    checkModules(parts, locate, registry, { templateUse }),
    requestTemplateProblems(reading),
    tlsProblems(reading),
    subscriptionFileProblems(reading),
    driverFailures(reading, registry),
    refusalProblems(refusals, locate),
  ];
  for (const list of found) for (const problem of list) problems.push(problem);
  if (problems.length > 0 || !config) throw new ConfigInvalid(inFileOrder(problems, reading.order));
  return { loaded: { dir, config, locate }, registry };
}

/** What rendering makes of a string, known without a request: a whole expression's type comes from the request. */
function templateUse(text: string): TemplateUse {
  try {
    const rendered = render(text, { method: '', body: undefined, query: {}, headers: {} });
    return typeof rendered !== 'string' ? 'whole' : rendered === text ? 'none' : 'inside';
  } catch {
    // A malformed expression: templateProblems reports it, and its value cannot be known.
    return 'whole';
  }
}

function requestTemplateProblems({ parts, locate }: ConfigReading): Problem[] {
  const problems: Problem[] = [];
  parts.triggers.forEach((trigger, t) =>
    trigger.actions?.forEach((action, a) => {
      if (action) for (const message of templateProblems(action)) problems.push(locate(['triggers', t, 'actions', a], message));
    }),
  );
  parts.triggers.forEach((trigger, t) => {
    const keys = { debounce_key: trigger.debounce_key, rate_key: trigger.rate_key };
    for (const [field, template] of Object.entries(keys))
      if (template) for (const message of templateProblems(template)) problems.push(locate(['triggers', t, field], message));
    const idempotency = trigger.idempotency;
    if (idempotency)
      for (const message of templateProblems(idempotency.key)) problems.push(locate(['triggers', t, 'idempotency'], message));
    // The rate limit is decided before the body is read.
    if (trigger.rate_key && /\{\{\s*body\b/.test(trigger.rate_key))
      problems.push(locate(['triggers', t, 'rate_key'], 'rate_key is read before the body is: use headers, query or method'));
  });
  parts.subscriptions.forEach((subscription, s) =>
    (['on_failure', 'on_exhausted'] as const).forEach((hook) =>
      subscription[hook]?.forEach((action, a) => {
        if (action) for (const message of templateProblems(action)) problems.push(locate(['subscriptions', s, hook, a], message));
      }),
    ),
  );
  return problems;
}

/** The TLS certificate and key must be readable files (relative to the config directory). */
function tlsProblems({ parts, dir, locate }: ConfigReading): Problem[] {
  const tls = parts.server?.tls;
  if (!tls) return [];
  return (['cert', 'key'] as const).flatMap((name) => {
    const file = resolve(dir, tls[name]);
    try {
      readFileSync(file);
      return [];
    } catch (error) {
      const why = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be read';
      return [locate(['server', 'tls', name], `${file} ${why}; give a PEM file, relative to the config directory`)];
    }
  });
}

/** The subscriptions' client certificate files; when the schema refused part of the config, each subscription it took, alone. */
function subscriptionFileProblems({ dir, config, parts, locate }: ConfigReading): Problem[] {
  if (config) return checkSubscriptionFiles({ dir, config, locate });
  const empty = configSchema.parse({});
  return parts.subscriptions.flatMap((subscription, s) =>
    tookWhole(subscription)
      ? checkSubscriptionFiles({
          dir,
          config: { ...empty, subscriptions: [subscription] },
          locate: ([, , ...rest], message) => locate(['subscriptions', s, ...rest], message),
        })
      : [],
  );
}

function driverFailures({ parts }: ConfigReading, registry: DriverRegistry): Problem[] {
  const used = new Set(parts.systems.flatMap((s) => (s.modules ?? []).map((m) => m?.driver)));
  return registry.failures.map((failure) => ({
    file: `drivers/${failure.folder}`,
    line: 1,
    col: 1,
    path: '(driver)',
    message: `could not be loaded: ${failure.reason}${used.has(failure.folder) ? '' : ' (not used by this config)'}`,
  }));
}
