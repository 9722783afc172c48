// The ceiling prototype's SQLite writer in a worker thread: applies each batch it is sent
// with the engine's SqliteWriter and answers with the batch's number (or the error).
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteWriter } from '../../src/store/sqlite-writer.js';
import type { StoreWrite } from '../../src/store/writes.js';

const writer = new SqliteWriter((workerData as { file: string }).file, 'normal');
parentPort!.on('message', ({ batch, units }: { batch: number; units: StoreWrite[][] }) => {
  try {
    writer.applyAll(units);
    parentPort!.postMessage({ batch });
  } catch (error) {
    parentPort!.postMessage({ batch, error: (error as Error).message });
  }
});
