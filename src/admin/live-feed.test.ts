// The admin stream's feed over a real store: a burst bigger than a page is sent page by page,
// each request once, in order; a run is sent when created and again when it finishes; what
// came before the client did is not sent.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TimeOrderedIds } from '../ids.js';
import { openStore, type Store } from '../store/store.js';
import { requestRow, runRow } from '../../test/store-conformance/fixtures.js';
import { LiveFeed } from './live-feed.js';

let store: Store | undefined;
let dir: string | undefined;
afterEach(async () => {
  await store?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  store = undefined;
});

async function freshStore(): Promise<Store> {
  dir = mkdtempSync(join(tmpdir(), 'switchboard-feed-'));
  return (store = await openStore(join(dir, 'switchboard.db')));
}

describe('LiveFeed', () => {
  it('sends a burst of 1,200 requests page by page, each once and in order, and nothing from before it started', async () => {
    const s = await freshStore();
    const start = 1_800_000_000_000;
    await s.commit([{ kind: 'request', row: requestRow('req_before', { received_at: start - 1 }) }]);
    const feed = new LiveFeed(s, new Set(['requests']), start);
    const ids = Array.from({ length: 1_200 }, (_, i) => `req_${String(i).padStart(5, '0')}`);
    await s.commit(ids.map((id, i) => ({ kind: 'request', row: requestRow(id, { received_at: start + Math.floor(i / 3) }) })));
    const sent: string[] = [];
    for (let poll = 0; poll < 5; poll++) sent.push(...(await feed.poll(start + 1_000)).map((e) => (e.data as { id: string }).id));
    expect(sent).toEqual(ids);
  });

  it('sends a run when it is created and again when it finishes, once each', async () => {
    const s = await freshStore();
    const now = Date.now();
    const feed = new LiveFeed(s, new Set(['runs']), now);
    const id = new TimeOrderedIds().next('run');
    await s.commit([{ kind: 'run', row: runRow(id, { created_at: now + 1 }) }]);
    const created = await feed.poll(now + 2);
    expect(created.map((e) => (e.data as { status: string }).status)).toEqual(['pending']);
    await s.commit([{ kind: 'run_finished', id, status: 'succeeded', finishedAt: now + 5, error: null }]);
    const finished = await feed.poll(now + 6);
    expect(finished.map((e) => (e.data as { status: string }).status)).toEqual(['succeeded']);
    expect(await feed.poll(now + 7)).toEqual([]);
  });
});
