// The rows a fire writes, grouped for PostgreSQL: every request row of a batch in one
// multi-row insert, every run in another (and run actions, events, deliveries likewise),
// and every run's end in one update, instead of a round trip to the server per row. Rows
// of one kind keep their order; the groups are written before any write that is not
// grouped (RowGroups.take), so a batch's writes still apply in the order they came, as far
// as any row can tell: each group is inserts of new rows, or the ends of runs whose rows
// are inserted before them.
import { packAction } from './packed-action.js';
import type { StoreWrite } from './writes.js';

export type Query = readonly [text: string, values: unknown[]];

interface Insert {
  table: string;
  columns: readonly string[];
}

const INSERTS = {
  request: {
    table: 'request_log',
    columns: [
      'id',
      'instance_id',
      'received_at',
      'method',
      'path',
      'headers',
      'body',
      'body_size',
      'body_truncated',
      'status',
      'outcome',
      'run_id',
      'latency_ms',
      'reason',
      'client_ip',
    ],
  },
  run: {
    table: 'runs',
    columns: [
      'id',
      'instance_id',
      'trigger_id',
      'system_id',
      'request_id',
      'created_at',
      'status',
      'input',
      'finished_at',
      'error',
      'node_id',
      'trace',
    ],
  },
  run_action: {
    table: 'run_actions',
    columns: ['run_id', 'position', 'kind', 'target', 'status', 'error', 'started_at', 'finished_at', 'detail'],
  },
  event: { table: 'events', columns: ['id', 'type', 'created_at', 'source', 'data'] },
  delivery: {
    table: 'deliveries',
    columns: [
      'id',
      'event_id',
      'subscription_id',
      'url',
      'status',
      'attempts',
      'next_attempt_at',
      'created_at',
      'finished_at',
      'last_status',
      'last_error',
    ],
  },
} as const satisfies Record<string, Insert>;

type InsertKind = keyof typeof INSERTS;
type Grouped = Extract<StoreWrite, { kind: InsertKind | 'run_finished' }>;

/** PostgreSQL takes at most 65,535 parameters a statement. */
const MAX_PARAMETERS = 60_000;

const RUN_END_COLUMNS = ['id', 'status', 'finished_at', 'error', 'last_action'] as const;
const RUN_END_TYPES = ['text', 'text', 'bigint', 'text', 'text'] as const;

export class RowGroups {
  private readonly rows = new Map<InsertKind, unknown[][]>();
  private ends: unknown[][] = [];

  /** Takes a write into its group (true), or leaves a write that is not grouped (false). */
  add(write: StoreWrite): boolean {
    if (write.kind === 'run_finished') {
      const last = write.lastAction ? packAction(write.lastAction, write.finishedAt) : null;
      this.ends.push([write.id, write.status, write.finishedAt, write.error, last]);
      return true;
    }
    if (!Object.hasOwn(INSERTS, write.kind)) return false;
    const grouped = write as Extract<Grouped, { kind: InsertKind }>;
    const row = grouped.row as unknown as Record<string, unknown>;
    let list = this.rows.get(grouped.kind);
    if (!list) this.rows.set(grouped.kind, (list = []));
    // A run's node is the write's, not the row's (reads of a run never show it).
    const node = grouped.kind === 'run' ? (grouped.node ?? null) : null;
    list.push(INSERTS[grouped.kind].columns.map((column) => (column === 'node_id' ? node : row[column])));
    return true;
  }

  /** The statements of the rows gathered so far (inserts first, then the runs' ends), and an empty group. */
  take(): Query[] {
    const queries: Query[] = [];
    for (const kind of Object.keys(INSERTS) as InsertKind[]) {
      const rows = this.rows.get(kind);
      if (rows) queries.push(...insertQueries(INSERTS[kind], rows));
    }
    if (this.ends.length > 0) queries.push(...runEndQueries(this.ends));
    this.rows.clear();
    this.ends = [];
    return queries;
  }
}

function insertQueries({ table, columns }: Insert, rows: readonly unknown[][]): Query[] {
  return chunks(rows, Math.floor(MAX_PARAMETERS / columns.length)).map((chunk) => [
    `insert into ${table} (${columns.join(', ')}) values ${placeholders(chunk.length, columns.length)}`,
    chunk.flat(),
  ]);
}

function runEndQueries(ends: readonly unknown[][]): Query[] {
  return chunks(ends, Math.floor(MAX_PARAMETERS / RUN_END_COLUMNS.length)).map((chunk) => [
    `update runs set status = v.status, finished_at = v.finished_at, error = v.error, last_action = v.last_action
      from (values ${placeholders(chunk.length, RUN_END_COLUMNS.length, RUN_END_TYPES)}) as v (${RUN_END_COLUMNS.join(', ')})
      where runs.id = v.id`,
    chunk.flat(),
  ]);
}

/** `($1, $2), ($3, $4)`, each parameter cast when `types` are given (a VALUES list has no column types of its own). */
function placeholders(rows: number, columns: number, types?: readonly string[]): string {
  const out: string[] = [];
  for (let r = 0; r < rows; r++) {
    const row: string[] = [];
    for (let c = 0; c < columns; c++) row.push(`$${r * columns + c + 1}${types ? `::${types[c]}` : ''}`);
    out.push(`(${row.join(', ')})`);
  }
  return out.join(', ');
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
