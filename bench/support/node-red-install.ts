// Node-RED for the inbound bench, installed with npm into a work folder of its own (by default
// bench/.work/node-red, git-ignored) and reused by later runs: it is a yardstick the bench runs
// beside the engine, never a dependency of the project, so it stays out of package.json.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { log } from './log.js';

/** The major version the bench compares against (Node-RED 4.x: Node 18+, Express 4). */
const MAJOR = 4;
const INSTALL_TIMEOUT_MS = 5 * 60_000;

export interface NodeRedInstall {
  /** The folder holding node_modules/node-red, the settings and the user dir. */
  workDir: string;
  /** node_modules/node-red/red.js, started with `node`. */
  entry: string;
  version: string;
  /** Whether this run installed it (false: a copy from an earlier run was reused). */
  installed: boolean;
}

/** The checkout's root: the nearest folder above this file with the project's package.json (src and dist alike). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'switchboard')
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the project root (package.json named switchboard)');
    dir = parent;
  }
}

/** BENCH_NODE_RED_DIR, else bench/.work/node-red in the checkout. */
export function nodeRedWorkDir(): string {
  const chosen = process.env.BENCH_NODE_RED_DIR;
  return chosen ? resolve(chosen) : join(projectRoot(), 'bench', '.work', 'node-red');
}

function installedVersion(workDir: string): string | undefined {
  const manifest = join(workDir, 'node_modules', 'node-red', 'package.json');
  if (!existsSync(manifest)) return undefined;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
}

/**
 * The installed Node-RED 4.x, installing the latest 4.x first when the work folder has none.
 * Throws (with npm's last words) when npm fails; the caller goes on without Node-RED.
 */
export async function ensureNodeRed(): Promise<NodeRedInstall> {
  const workDir = nodeRedWorkDir();
  const entry = join(workDir, 'node_modules', 'node-red', 'red.js');
  const cached = installedVersion(workDir);
  if (cached?.startsWith(`${MAJOR}.`) && existsSync(entry)) return { workDir, entry, version: cached, installed: false };

  mkdirSync(workDir, { recursive: true });
  // A package.json of its own makes the folder npm's project root, so npm can never walk up
  // and install into the checkout's node_modules or edit its package.json.
  writeFileSync(
    join(workDir, 'package.json'),
    `${JSON.stringify({ name: 'switchboard-bench-node-red', private: true, description: 'Node-RED for npm run bench; not part of Switchboard' }, null, 2)}\n`,
  );
  log(`installing node-red@${MAJOR} into ${workDir} (once; later runs reuse it)`);
  // `npm run bench` exports the checkout as npm's local prefix; the child must not inherit it.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^npm_(config_local_prefix|package_|lifecycle_)/i.test(k)),
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  try {
    await promisify(execFile)(
      npm,
      // Node-RED needs no install scripts (bcrypt falls back to bcryptjs); skipping them keeps native builds out.
      ['install', `node-red@${MAJOR}`, '--prefix', workDir, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
      { cwd: workDir, env, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    const e = error as Error & { stderr?: string };
    const said = (e.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
    throw new Error(`npm install node-red@${MAJOR} failed: ${said || e.message}`);
  }
  const version = installedVersion(workDir);
  if (!version?.startsWith(`${MAJOR}.`) || !existsSync(entry))
    throw new Error(`npm install node-red@${MAJOR} finished but ${entry} (4.x) is not there`);
  return { workDir, entry, version, installed: true };
}
