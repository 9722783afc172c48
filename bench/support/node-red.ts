// Node-RED as the inbound bench's second yardstick: the same fire request answered by a flow
// (`http in` → `function` checking the secret → `http response` 202 {"fired":true}), in a
// child process on 127.0.0.1 with no editor, no admin API, no credential prompt and quiet
// logs, so what is measured is Node-RED's request path and nothing it does for a person.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FIRED_BODY } from './inbound-servers.js';
import { HOST } from './listen.js';
import type { NodeRedInstall } from './node-red-install.js';
import { countAsOwn } from './other-cpu.js';

export interface NodeRed {
  /** http://127.0.0.1:port */
  url: string;
  pid: number;
  /** Whether the child is still there (it may die mid-run; the bench then skips it). */
  running(): boolean;
  /** Stops the child (SIGTERM, then SIGKILL after 5 s); later calls get the same promise. */
  stop(): Promise<void>;
}

export const FIRE_PATH = '/webhook/trig-bench/notify';
const READY_TIMEOUT_MS = 60_000;

/** A port nobody listens on right now (Node-RED prints the port it was given, so 0 would not tell us). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, HOST, resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** The flow: one HTTP endpoint that checks the secret like the other targets and answers 202. */
function flow(secret: string): unknown[] {
  const check = [
    `if (msg.req.query.secret === ${JSON.stringify(secret)}) {`,
    '  msg.statusCode = 202;',
    '  msg.payload = { fired: true };',
    '} else {',
    '  msg.statusCode = 404;',
    "  msg.payload = { error: 'not_found' };",
    '}',
    'return msg;',
  ].join('\n');
  return [
    { id: 'bench-tab', type: 'tab', label: 'switchboard bench' },
    {
      id: 'bench-in',
      type: 'http in',
      z: 'bench-tab',
      name: 'fire',
      url: FIRE_PATH,
      method: 'post',
      upload: false,
      swaggerDoc: '',
      wires: [['bench-check']],
    },
    {
      id: 'bench-check',
      type: 'function',
      z: 'bench-tab',
      name: 'check secret',
      func: check,
      outputs: 1,
      timeout: 0,
      noerr: 0,
      initialize: '',
      finalize: '',
      libs: [],
      wires: [['bench-out']],
    },
    { id: 'bench-out', type: 'http response', z: 'bench-tab', name: '', statusCode: '', headers: {}, wires: [] },
  ];
}

/** settings.cjs (CommonJS whatever the folder's package.json says): no editor or admin API, nothing phones home. */
function settings(port: number, userDir: string): string {
  const values = {
    uiHost: HOST,
    uiPort: port,
    httpAdminRoot: false,
    httpNodeRoot: '/',
    disableEditor: true,
    userDir,
    flowFile: 'flows.json',
    // No credentials in the flow; false stores them unencrypted instead of asking for a key.
    credentialSecret: false,
    logging: { console: { level: 'error', metrics: false, audit: false } },
    diagnostics: { enabled: false, ui: false },
    runtimeState: { enabled: false, ui: false },
    telemetry: { enabled: false, updateNotification: false },
    externalModules: {
      autoInstall: false,
      palette: { allowInstall: false, allowUpload: false },
      modules: { allowInstall: false },
    },
    functionExternalModules: false,
    editorTheme: { projects: { enabled: false } },
  };
  return `// Written by bench/inbound.ts on every run.\nmodule.exports = ${JSON.stringify(values, null, 2)};\n`;
}

/** Whether the flow answers the fire request as the bench expects. */
async function answers(url: string, secret: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}${FIRE_PATH}?secret=${encodeURIComponent(secret)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(2_000),
    });
    return response.status === 202 && (await response.text()) === FIRED_BODY;
  } catch {
    return false;
  }
}

/** Writes the settings and the flow into the work folder, starts Node-RED and waits until the flow answers. */
export async function startNodeRed(install: NodeRedInstall, secret: string): Promise<NodeRed> {
  const userDir = join(install.workDir, 'user');
  mkdirSync(userDir, { recursive: true });
  const port = await freePort();
  const settingsFile = join(install.workDir, 'settings.cjs');
  writeFileSync(settingsFile, settings(port, userDir));
  writeFileSync(join(userDir, 'flows.json'), `${JSON.stringify(flow(secret), null, 2)}\n`);

  const child = spawn(process.execPath, [install.entry, '--settings', settingsFile, '--userDir', userDir, '--no-telemetry'], {
    cwd: install.workDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Kept for the note when it does not start; otherwise Node-RED's output is not shown.
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString('utf8')).slice(-2_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    }),
  );
  child.once('error', (error) => (exited = error.message));
  if (child.pid !== undefined) countAsOwn(child.pid);
  // A bench that dies without cleaning up must not leave Node-RED running.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.off('exit', orphanGuard);
      if (exited !== undefined || child.pid === undefined) return;
      child.kill('SIGTERM');
      if (await Promise.race([exit.then(() => true), sleep(5_000, false, { ref: false })])) return;
      child.kill('SIGKILL');
      await exit;
    })());

  const url = `http://${HOST}:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await answers(url, secret))) {
    const tail = output.trim().split('\n').slice(-3).join(' | ');
    if (exited !== undefined) {
      await stop();
      throw new Error(`Node-RED exited (${exited}) before its flow answered${tail ? `: ${tail}` : ''}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Node-RED's flow did not answer 202 within ${READY_TIMEOUT_MS / 1000} s${tail ? `: ${tail}` : ''}`);
    }
    await sleep(200);
  }
  return { url, pid: child.pid!, running: () => exited === undefined, stop };
}
