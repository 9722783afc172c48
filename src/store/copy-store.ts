// Copies the engine's data from one database into another (SQLite into PostgreSQL, for
// `switchboard migrate-store`): every table but the probe's scratch table, in pages read in
// key order from one snapshot of the source, written in one transaction on the target, so a
// copy that fails leaves the target as it was. Then the rows of each table are counted on
// both sides.
import { sql, type Kysely } from 'kysely';
import type { Tables } from './tables.js';

type Table = keyof Tables;

/** Each table copied, with the column its pages are read in order of (tables keyed by more than one column are small: read whole). */
const COPIED: readonly [Table, string | undefined][] = [
  ['instance_secrets', 'instance_id'],
  ['instance_stats', 'instance_id'],
  ['request_log', 'id'],
  ['runs', 'id'],
  ['run_actions', 'seq'],
  ['events', 'id'],
  ['deliveries', 'id'],
  ['delivery_attempts', 'seq'],
  ['subscription_state', 'subscription_id'],
  ['schedule_fires', undefined],
  ['module_state', undefined],
  ['nodes', 'id'],
  ['overrides', undefined],
  ['config_generations', 'hash'],
  ['config_served', undefined],
];

/** Tables whose key is a sequence the target must go on from. */
const SEQUENCED: readonly Table[] = ['run_actions', 'delivery_attempts'];

export interface TableCount {
  table: string;
  source: number;
  target: number;
}

export class TargetNotEmpty extends Error {
  constructor(readonly tables: readonly { table: string; rows: number }[]) {
    super(`the target database already holds rows: ${tables.map((t) => `${t.table} ${t.rows}`).join(', ')}`);
    this.name = 'TargetNotEmpty';
  }
}

export interface CopyOptions {
  /** Empty the target's tables first instead of refusing a target that holds rows. */
  replace?: boolean;
  /** Rows per page (default 1,000). */
  pageSize?: number;
  /** Told before the copy with every table's rows, and after each page. */
  onStart?(total: number): void;
  onProgress?(table: string, rowsSoFar: number): void;
}

export async function copyStore(from: Kysely<Tables>, to: Kysely<Tables>, options: CopyOptions = {}): Promise<TableCount[]> {
  const pageSize = options.pageSize ?? 1_000;
  const held = (await countAll(to)).filter((c) => c.rows > 0);
  if (held.length > 0 && !options.replace) throw new TargetNotEmpty(held);
  await from.transaction().execute(async (source) => {
    const counts = await countAll(source);
    options.onStart?.(counts.reduce((sum, c) => sum + c.rows, 0));
    await to.transaction().execute(async (target) => {
      if (held.length > 0) await sql`truncate ${sql.join(COPIED.map(([t]) => sql.table(t)))} restart identity`.execute(target);
      let copied = 0;
      for (const [table, key] of COPIED) {
        for await (const page of pages(source, table, key, pageSize)) {
          await target
            .insertInto(table)
            .values(page as never)
            .execute();
          copied += page.length;
          options.onProgress?.(table, copied);
        }
      }
      for (const table of SEQUENCED)
        await sql`select setval(pg_get_serial_sequence(${table}, 'seq'), coalesce((select max(seq) from ${sql.table(table)}), 0) + 1, false)`.execute(
          target,
        );
    });
  });
  const [source, target] = await Promise.all([countAll(from), countAll(to)]);
  return source.map((s, i) => ({ table: s.table, source: s.rows, target: target[i]!.rows }));
}

async function countAll(db: Kysely<Tables>): Promise<{ table: string; rows: number }[]> {
  const counts: { table: string; rows: number }[] = [];
  for (const [table] of COPIED) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('rows'))
      .executeTakeFirstOrThrow();
    counts.push({ table, rows: Number(row.rows) });
  }
  return counts;
}

/** The table's rows a page at a time, after the last key read (keyset paging: no page rereads the ones before it). */
async function* pages(db: Kysely<Tables>, table: Table, key: string | undefined, size: number): AsyncGenerator<unknown[]> {
  if (key === undefined) {
    const all = await db.selectFrom(table).selectAll().execute();
    if (all.length > 0) yield all;
    return;
  }
  let after: unknown;
  for (;;) {
    let query = db
      .selectFrom(table)
      .selectAll()
      .orderBy(key as never)
      .limit(size);
    if (after !== undefined) query = query.where(key as never, '>', after as never);
    const page = (await query.execute()) as Record<string, unknown>[];
    if (page.length === 0) return;
    yield page;
    if (page.length < size) return;
    after = page.at(-1)![key];
  }
}
