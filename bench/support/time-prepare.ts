// Child process of bench/config-size.ts: times `prepareConfig` (what `check` runs) on one config
// dir, in a process of its own so a run that never ends can be stopped, and sends the times back.
//
//   node dist/bench/support/time-prepare.js CONFIG_DIR WARMUP_DIR REPEATS BUDGET_SECONDS
//
// Both dirs hold an env.json with the environment to load with.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConfigInvalid, formatProblem } from '../../src/config/problems.js';
import { loadDrivers, type DriverRegistry } from '../../src/drivers/registry.js';
import { prepareConfig } from '../../src/prepare-config.js';

export interface TimeResult {
  /** Milliseconds of each timed run. */
  ms: number[];
  /** Problems reported (0: the config was valid). */
  problems: number;
  /** Characters `check` would print for them. */
  outputChars: number;
}

/** One `check`: load and check the config, and format every problem as the CLI prints them. */
async function checkOnce(dir: string, registry: DriverRegistry): Promise<{ problems: number; outputChars: number }> {
  const env = JSON.parse(readFileSync(join(dir, 'env.json'), 'utf8')) as Record<string, string>;
  try {
    await prepareConfig(dir, { env, registry });
    return { problems: 0, outputChars: 0 };
  } catch (error) {
    if (!(error instanceof ConfigInvalid)) throw error;
    let outputChars = 0;
    for (const problem of error.problems) outputChars += formatProblem(problem).length + 1;
    return { problems: error.problems.length, outputChars };
  }
}

async function main(): Promise<void> {
  const [dir, warmupDir, repeatsText, budgetText] = process.argv.slice(2);
  if (!dir || !warmupDir) throw new Error('usage: time-prepare.js CONFIG_DIR WARMUP_DIR [REPEATS] [BUDGET_SECONDS]');
  const repeats = Number(repeatsText ?? 3);
  const budgetMs = Number(budgetText ?? 20) * 1000;
  const registry = await loadDrivers();
  // A small config of the same shape first, so the timed runs do not pay for compiling the loader.
  await checkOnce(warmupDir, registry);
  const result: TimeResult = { ms: [], problems: 0, outputChars: 0 };
  const started = performance.now();
  // At least one run; more (up to `repeats`) while the budget lasts, keeping the fastest.
  while (result.ms.length < repeats && (result.ms.length === 0 || performance.now() - started < budgetMs)) {
    // Each run starts without the garbage of the one before (when run with --expose-gc).
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    const outcome = await checkOnce(dir, registry);
    result.ms.push(performance.now() - t0);
    Object.assign(result, outcome);
  }
  // Disconnecting lets the child exit once the result is on its way.
  if (process.send) process.send(result, () => process.disconnect());
  else console.log(JSON.stringify(result));
}

await main();
