// The ceiling prototype: the engine's stack (Koa, @koa/router with the engine's six trigger
// routes, raw-body) doing the least a fire must do, so the bench can show how fast the fire
// path could be at best on this machine. Each answers the fire request 202 after it has:
//   - 'next turn':   nothing, one event-loop turn later (as a group commit answers);
//   - 'main thread': committed the fire's writes with the engine's SqliteWriter on the main thread;
//   - 'worker':      the same, with the writer in a worker thread.
// After the answer, the run's end is committed like the engine's executor does. No checks
// beyond the secret, no redaction, no action: a bound, not a product.
import Router from '@koa/router';
import Koa from 'koa';
import getRawBody from 'raw-body';
import { createServer } from 'node:http';
import { Worker } from 'node:worker_threads';
import { TimeOrderedIds } from '../../src/ids.js';
import { postgresPool } from '../../src/store/pg-database.js';
import { openPostgresStore } from '../../src/store/pg-store.js';
import { PostgresWriter } from '../../src/store/pg-writer.js';
import { StoreHealth } from '../../src/store/store-health.js';
import { openStore } from '../../src/store/store.js';
import { WriteBatcher } from '../../src/store/write-batcher.js';
import { SqliteWriter } from '../../src/store/sqlite-writer.js';
import type { StoreWrite } from '../../src/store/writes.js';
import { fireWrites, runEndWrites } from './ceiling-writes.js';
import { listenLocally, type Listening } from './listen.js';

export type CeilingKind = 'next turn' | 'main thread' | 'worker' | 'postgres writes';

const FORMS = [
  '/webhook/:trigger/notify',
  '/webhook/:trigger/notify/:secret',
  '/webhook/:trigger/notify/:secret/:mod/:index/:method',
];

/** Commits what was asked during one event-loop turn in one transaction; resolves each caller after it. */
type Committer = { commit(writes: StoreWrite[]): Promise<void>; close(): Promise<void> };

function turnBatched(apply: (units: StoreWrite[][]) => Promise<void>): (writes: StoreWrite[]) => Promise<void> {
  let units: StoreWrite[][] = [];
  let waiting: (() => void)[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const [batch, done] = [units, waiting];
    [units, waiting] = [[], []];
    void apply(batch).then(() => {
      for (const resolve of done) resolve();
    });
  };
  return (writes) =>
    new Promise<void>((resolve) => {
      units.push(writes);
      waiting.push(resolve);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
}

function mainThreadCommitter(file: string): Committer {
  const writer = new SqliteWriter(file, 'normal');
  return { commit: turnBatched(async (units) => void writer.applyAll(units)), close: async () => writer.close() };
}

function workerCommitter(file: string): Committer {
  const worker = new Worker(new URL('./ceiling-writer-worker.js', import.meta.url), { workerData: { file } });
  const answers = new Map<number, { resolve(): void; reject(error: Error): void }>();
  worker.on('message', ({ batch, error }: { batch: number; error?: string }) => {
    const answer = answers.get(batch)!;
    answers.delete(batch);
    if (error) answer.reject(new Error(error));
    else answer.resolve();
  });
  let batches = 0;
  const apply = (units: StoreWrite[][]) =>
    new Promise<void>((resolve, reject) => {
      const batch = ++batches;
      answers.set(batch, { resolve, reject });
      worker.postMessage({ batch, units });
    });
  return { commit: turnBatched(apply), close: async () => void (await worker.terminate()) };
}

/** The engine's own group commit (WriteBatcher) and PostgreSQL writer: a batch goes while the one before is with the server. */
async function postgresCommitter(url: string): Promise<Committer> {
  await (await openPostgresStore(url)).close(); // the engine's schema, migrated
  const writer = new PostgresWriter(postgresPool(url, { max: 1 }));
  const batcher = new WriteBatcher(writer, new StoreHealth(), 5_000);
  return {
    commit: async (writes) => void (await batcher.commit(writes)),
    close: async () => {
      await batcher.close();
      await writer.close();
    },
  };
}

/** `database`: the SQLite file, or for `postgres writes` the PostgreSQL URL. */
export async function startCeiling(kind: CeilingKind, secret: string, database: string): Promise<Listening> {
  let committer: Committer | undefined;
  if (kind === 'postgres writes') committer = await postgresCommitter(database);
  else if (kind !== 'next turn') {
    await (await openStore(database)).close(); // the engine's schema, migrated
    committer = kind === 'worker' ? workerCommitter(database) : mainThreadCommitter(database);
  }
  const nextTurn = turnBatched(async () => {});
  const ids = new TimeOrderedIds();
  const app = new Koa();
  const router = new Router();
  const handler = async (ctx: Koa.Context) => {
    const given = ctx.query.secret;
    const body = await getRawBody(ctx.req, { limit: 1024 * 1024 });
    JSON.parse(body.toString('utf8'));
    const instanceId = ctx.params.trigger as string;
    const fired = { request: ids.next('req'), run: ids.next('run') };
    if (committer) {
      await committer.commit(fireWrites(fired, instanceId, ctx.headers, body, Date.now()));
      queueMicrotask(() => void committer.commit(runEndWrites(fired.run, Date.now())));
    } else await nextTurn([]);
    const ok = given === secret;
    ctx.status = ok ? 202 : 404;
    ctx.body = ok ? { fired: true, run: fired.run } : { error: 'not_found' };
  };
  for (const prefix of ['', '/api/engine/v2']) for (const form of FORMS) router.all(prefix + form, handler);
  app.use(router.routes());
  const listening = await listenLocally(createServer(app.callback()));
  return {
    url: listening.url,
    close: async () => {
      await listening.close();
      await committer?.close();
    },
  };
}
