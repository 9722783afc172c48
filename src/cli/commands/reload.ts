// `switchboard reload`: asks the engine running on a data directory to reload its config
// (SIGHUP) and prints what came of it, as the engine reports it: the new generation and
// what changed, or every problem of the config (exit 1; the engine goes on serving the
// generation it had). The engine checks the config itself, exactly as `check` does, with
// its own environment; this command only finds it, signals it and waits for its answer.
import { setTimeout as delay } from 'node:timers/promises';
import { resolve } from 'node:path';
import { readConfig } from '../../config/load-config.js';
import { DEFAULT_DATA_DIR } from '../../config/server-schema.js';
import { runningEngine } from '../../store/engine-address.js';
import { lastReload, type ReloadRecord } from '../../store/reload-record.js';
import { configDirOf, intOption, storeOptions, type OptionValues } from '../options.js';

export const options = { ...storeOptions, timeout: { type: 'string', value: 'SECONDS' } } as const;

const DEFAULT_TIMEOUT_S = 60;
const POLL_MS = 25;

export async function reload(values: OptionValues<typeof options>): Promise<number> {
  const timeoutS = intOption(values, 'timeout') ?? DEFAULT_TIMEOUT_S;
  const dataDir = dataDirToSignal(values);
  const engine = runningEngine(dataDir);
  if (!engine) {
    console.error(
      `switchboard: no engine is running on ${dataDir}; start one with \`switchboard start\`, or pass the --data DIR it runs on`,
    );
    return 1;
  }
  const before = lastReload(dataDir, engine.pid)?.attempt ?? 0;
  process.kill(engine.pid, 'SIGHUP');
  const record = await answer(dataDir, engine.pid, before, timeoutS * 1000);
  if (!record) {
    console.error(`switchboard: the engine (pid ${engine.pid}) did not report a reload within ${timeoutS} s; see its log`);
    return 1;
  }
  return print(record);
}

/** --data, else the config's data_dir as far as the config can be read (a broken config is what a reload reports). */
function dataDirToSignal(values: OptionValues<typeof options>): string {
  if (values.data) return resolve(values.data);
  const configDir = configDirOf(values);
  let dataDir = DEFAULT_DATA_DIR;
  try {
    dataDir = readConfig(configDir, process.env).parts.server?.data_dir ?? dataDir;
  } catch {
    // Unreadable YAML: the engine will say so; its data directory is then the default one.
  }
  return resolve(configDir, dataDir);
}

/** The engine's record of the reload this signal asked for: the first one newer than `before`. */
async function answer(dataDir: string, pid: number, before: number, timeoutMs: number): Promise<ReloadRecord | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const record = lastReload(dataDir, pid);
    if (record && record.attempt > before) return record;
    if (Date.now() >= deadline) return undefined;
    await delay(POLL_MS);
  }
}

function print(record: ReloadRecord): number {
  for (const note of record.shadowed ?? []) console.log(`note: override shadows the YAML: ${note}`);
  const generation = `generation ${record.generation} (${record.hash})`;
  switch (record.result) {
    case 'applied':
      console.log(`reloaded: ${generation} serves; ${record.summary ?? ''}`.trimEnd());
      return 0;
    case 'unchanged':
      console.log(`unchanged: the config is the one ${generation} serves`);
      return 0;
    case 'refused':
      console.error(
        `reload refused: the config has ${record.problems.length} problem${record.problems.length === 1 ? '' : 's'}; ${generation} goes on serving`,
      );
      for (const problem of record.problems) console.error(problem);
      return 1;
    case 'failed':
      console.error(`reload failed: ${record.reason ?? 'see the engine log'}; ${generation} serves`);
      return 1;
  }
}
