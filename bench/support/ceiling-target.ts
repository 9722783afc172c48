// One target of the ceiling bench in a process of its own (forked with IPC), so no target
// shares V8's type feedback, heap or timers with another: Koa's code, warmed by four
// different apps in one process, ran a third slower than in a process of its own.
// The PostgreSQL targets take their database URL from CEILING_POSTGRES. Sends { url } once listening; answers { drained: true } to { drain: true } (the engine's
// runs finished); stops on SIGTERM or when the parent goes.
import { join } from 'node:path';
import { startCeiling, type CeilingKind } from './ceiling-servers.js';
import { benchRegistry, drain, startBenchEngine } from './inbound-engine.js';
import { startBare } from './inbound-servers.js';

export type CeilingTarget = 'bare' | CeilingKind | 'fire' | 'fire on postgres';

const [kind, dir] = process.argv.slice(2) as [CeilingTarget, string];
const secret = process.env.CEILING_SECRET!;

async function start(): Promise<{ url: string; drained(): Promise<unknown>; close(): Promise<void> }> {
  if (kind === 'bare') return { ...(await startBare(secret)), drained: async () => true };
  if (kind === 'fire' || kind === 'fire on postgres') {
    const notes: string[] = [];
    const secrets = { fire: secret, exec: secret, merakiValidator: 'unused', merakiSecret: secret };
    const registry = await benchRegistry(notes);
    const { engine } = await startBenchEngine({
      dir,
      // Nodes of one cluster (CEILING_NODE) share the database, each with a data directory of its own.
      name: `${kind.replaceAll(' ', '-')}${process.env.CEILING_NODE ? `-node-${process.env.CEILING_NODE}` : ''}`,
      database: kind === 'fire on postgres' ? process.env.CEILING_POSTGRES : undefined,
      moduleCall: process.env.CEILING_NO_MODULE_CALL !== '1',
      secrets,
      registry,
      wantExec: false,
      maxConnections: 4096,
      notes,
    });
    return { url: engine.url, drained: () => drain(engine), close: () => engine.stop() };
  }
  const database = kind === 'postgres writes' ? process.env.CEILING_POSTGRES! : join(dir, `${kind.replace(' ', '-')}.db`);
  const server = await startCeiling(kind, secret, database);
  return { ...server, drained: async () => true };
}

const target = await start();
const stop = () => void target.close().finally(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('disconnect', stop);
process.on('message', (message: { drain?: boolean }) => {
  if (message.drain) void target.drained().then(() => process.send!({ drained: true }));
});
process.send!({ url: target.url });
