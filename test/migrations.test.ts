// Covers the schema migrations on a real SQLite file: every migration up and down, idempotent re-runs, WAL and the synchronous level per durability.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Migrator, NO_MIGRATIONS, sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../migrations/index.js';
import { openSqlite, type Database } from '../src/store/database.js';
import { migrateToLatest } from '../src/store/migrate.js';

const TABLES = [
  'cluster_settings',
  'config_generations',
  'config_served',
  'debounce_windows',
  'deliveries',
  'delivery_attempts',
  'events',
  'idempotency_keys',
  'instance_secrets',
  'instance_stats',
  'module_leases',
  'module_state',
  'nodes',
  'overrides',
  'rate_limits',
  'request_log',
  'run_actions',
  'runs',
  'schedule_claims',
  'schedule_fires',
  'store_probe',
  'subscription_state',
];
const INDEXES = [
  'config_served_from',
  'deliveries_created',
  'deliveries_due',
  'deliveries_event',
  'deliveries_subscription',
  'delivery_attempts_delivery',
  'events_created',
  'idempotency_keys_expiry',
  'request_log_instance',
  'run_actions_run',
  'runs_failed',
  'runs_pending',
];
const ALL = [
  '001_initial',
  '002_outbound',
  '003_schedules',
  '004_request_reasons',
  '005_instance_status',
  '006_retention_indexes',
  '007_lean_runs',
  '008_runs_by_id',
  '009_request_log_by_time',
  '010_module_state',
  '011_nodes',
  '012_shared_windows',
  '013_leases',
  '014_module_leases',
  '015_overrides',
  '016_traces',
  '017_claim_times',
  '018_keys_and_limits',
  '019_module_diagnostics',
];

const dirs: string[] = [];
const open: Database[] = [];
afterEach(async () => {
  for (const database of open.splice(0)) await database.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A path for a database file that does not exist yet, in a fresh temporary directory. */
function freshFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-migrations-'));
  dirs.push(dir);
  return join(dir, 'nested', 'switchboard.db');
}

function openDb(file: string, durability?: 'normal' | 'full'): Kysely<any> {
  const database = openSqlite(file, durability);
  open.push(database);
  return database.db as Kysely<any>;
}

/** The engine's own tables and indexes, as sqlite_master lists them (Kysely's bookkeeping left out). */
async function schemaObjects(db: Kysely<any>, type: 'table' | 'index'): Promise<string[]> {
  const rows = await sql<{
    name: string;
  }>`select name from sqlite_master where type = ${type} and name not like 'sqlite_%' and name not like 'kysely_%' order by name`.execute(
    db,
  );
  return rows.rows.map((r) => r.name);
}

const migratorOf = (db: Kysely<any>) => new Migrator({ db, provider: { getMigrations: async () => migrations } });

describe('migrations', () => {
  it('lists the migrations in order', () => {
    expect(Object.keys(migrations)).toEqual(ALL);
  });

  it('applies every migration to an empty file and creates every table and index', async () => {
    const file = freshFile();
    const db = openDb(file);
    expect(existsSync(file)).toBe(true);
    expect(await schemaObjects(db, 'table')).toEqual([]);
    expect(await migrateToLatest(db)).toEqual(ALL);
    expect(await schemaObjects(db, 'table')).toEqual(TABLES);
    expect(await schemaObjects(db, 'index')).toEqual(INDEXES);
  });

  it('creates the tables with the columns the repositories use', async () => {
    const db = openDb(freshFile());
    await migrateToLatest(db);
    const tables = await db.introspection.getTables();
    const columns = Object.fromEntries(tables.map((t) => [t.name, t.columns.map((c) => c.name)]));
    expect(columns).toEqual({
      instance_secrets: ['instance_id', 'secret', 'created_at'],
      instance_stats: [
        'instance_id',
        'trigger_count',
        'last_fired_at',
        'action_errors',
        'comparison_errors',
        'triggered',
        'triggered_at',
      ],
      request_log: [
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
      runs: [
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
        'last_action',
        'node_id',
        'trace',
      ],
      run_actions: ['run_id', 'position', 'kind', 'target', 'status', 'error', 'started_at', 'finished_at', 'seq', 'detail'],
      events: ['id', 'type', 'created_at', 'source', 'data'],
      deliveries: [
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
        'lease_owner',
        'lease_until',
      ],
      delivery_attempts: ['seq', 'delivery_id', 'attempt', 'started_at', 'latency_ms', 'status_code', 'error', 'response'],
      subscription_state: ['subscription_id', 'secret', 'consecutive_exhausted', 'disabled_at', 'disabled_reason'],
      schedule_fires: ['instance_id', 'condition', 'last_fired_at'],
      module_state: ['system_id', 'address', 'driver', 'state', 'updated_at'],
      nodes: ['id', 'host', 'pid', 'url', 'generation', 'config_hash', 'started_at', 'seen_at', 'stopped_at', 'modules'],
      debounce_windows: ['key', 'last_at', 'admitted'],
      schedule_claims: ['instance_id', 'condition', 'due_at', 'claimed_at'],
      module_leases: ['module', 'node_id', 'epoch', 'lease_until'],
      cluster_settings: ['name', 'value'],
      overrides: ['target', 'id', 'field', 'value', 'set_at', 'set_by'],
      config_generations: ['hash', 'files', 'overrides', 'created_at'],
      config_served: ['node_id', 'served_from', 'hash'],
      idempotency_keys: ['key', 'run_id', 'expires_at'],
      rate_limits: ['key', 'tat', 'retry_us'],
      store_probe: ['pad'],
    });
    const seq = tables.find((t) => t.name === 'run_actions')!.columns.find((c) => c.name === 'seq')!;
    expect(seq.isAutoIncrementing).toBe(true);
    const stats = tables.find((t) => t.name === 'instance_stats')!.columns.find((c) => c.name === 'trigger_count')!;
    expect(stats).toMatchObject({ isNullable: false, hasDefaultValue: true });
  });

  it('applies nothing the second time, in the same connection or a new one', async () => {
    const file = freshFile();
    const first = openDb(file);
    expect(await migrateToLatest(first)).toEqual(ALL);
    expect(await migrateToLatest(first)).toEqual([]);
    const second = openDb(file);
    expect(await migrateToLatest(second)).toEqual([]);
    expect(await schemaObjects(second, 'table')).toEqual(TABLES);
    const executed = await migratorOf(second).getMigrations();
    expect(executed.map((m) => [m.name, m.executedAt instanceof Date])).toEqual(ALL.map((name) => [name, true]));
  });

  it('keeps the rows when migrating again', async () => {
    const file = freshFile();
    const db = openDb(file);
    await migrateToLatest(db);
    await db
      .insertInto('instance_secrets')
      .values({ instance_id: 'i-1', secret: 's'.repeat(32), created_at: 1 })
      .execute();
    await migrateToLatest(openDb(file));
    expect(await db.selectFrom('instance_secrets').select('instance_id').execute()).toEqual([{ instance_id: 'i-1' }]);
  });

  it('drops every table and index when migrated down', async () => {
    const db = openDb(freshFile());
    await migrateToLatest(db);
    const result = await migratorOf(db).migrateTo(NO_MIGRATIONS);
    expect(result.error).toBeUndefined();
    expect(result.results).toEqual(
      [...ALL].reverse().map((migrationName) => ({ migrationName, direction: 'Down', status: 'Success' })),
    );
    expect(await schemaObjects(db, 'table')).toEqual([]);
    expect(await schemaObjects(db, 'index')).toEqual([]);
    // and up again from there
    expect(await migrateToLatest(db)).toEqual(ALL);
    expect(await schemaObjects(db, 'table')).toEqual(TABLES);
  });

  it('008 keeps every run, stores them by id without rowids, and turns last-action times into offsets from the run end', async () => {
    const db = openDb(freshFile());
    await migratorOf(db).migrateTo('007_lean_runs');
    const run = { instance_id: 'i', trigger_id: 't', system_id: 's', request_id: null, input: '{}', error: null };
    await db
      .insertInto('runs')
      .values([
        {
          ...run,
          id: 'run-done',
          created_at: 1_000,
          status: 'succeeded',
          finished_at: 1_050,
          last_action: '[0,"call","Display_1.power","succeeded",null,1045,1050]',
        },
        {
          ...run,
          id: 'run-failed',
          created_at: 1_001,
          status: 'failed',
          finished_at: 1_060,
          last_action: '[1,"call","P_1.x","failed","it said \\"no\\"",1055,1060]',
        },
        { ...run, id: 'run-pending', created_at: 1_002, status: 'pending', finished_at: null, last_action: null },
      ])
      .execute();

    await migrateToLatest(db);
    const rows = await db.selectFrom('runs').select(['id', 'status', 'last_action']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'run-done', status: 'succeeded', last_action: '[0,"call","Display_1.power","succeeded",null,-5,0]' },
      { id: 'run-failed', status: 'failed', last_action: '[1,"call","P_1.x","failed","it said \\"no\\"",-5,0]' },
      { id: 'run-pending', status: 'pending', last_action: null },
    ]);
    await expect(sql`select rowid from runs`.execute(db)).rejects.toThrow(/no such column: rowid/);
    expect(await schemaObjects(db, 'index')).toContain('runs_pending');

    const down = await migratorOf(db).migrateTo('007_lean_runs');
    expect(down.error).toBeUndefined();
    expect(await db.selectFrom('runs').select(['id', 'last_action']).orderBy('id').execute()).toEqual([
      { id: 'run-done', last_action: '[0,"call","Display_1.power","succeeded",null,1045,1050]' },
      { id: 'run-failed', last_action: '[1,"call","P_1.x","failed","it said \\"no\\"",1055,1060]' },
      { id: 'run-pending', last_action: null },
    ]);
  });

  it('reports a failing migration by name', async () => {
    const db = openDb(freshFile());
    await sql`create table runs (id text)`.execute(db);
    await expect(migrateToLatest(db)).rejects.toThrow(/^migration 001_initial failed: table "runs" already exists$/);
    expect((await migratorOf(db).getMigrations()).map((m) => m.executedAt)).toEqual(ALL.map(() => undefined));
  });

  // A migration that fails part-way rolls back with its record, so it can be retried.
  it('lets a failed migration be retried once its cause is gone', async () => {
    const db = openDb(freshFile());
    await sql`create table runs (id text)`.execute(db);
    await expect(migrateToLatest(db)).rejects.toThrow(/001_initial/);
    await sql`drop table runs`.execute(db);
    expect(await migrateToLatest(db)).toEqual(ALL);
    expect(await schemaObjects(db, 'table')).toEqual(TABLES);
  });
});

describe('openSqlite', () => {
  const pragma = async (db: Kysely<any>, name: string) =>
    (await sql.raw<Record<string, unknown>>(`pragma ${name}`).execute(db)).rows[0]![name];

  it('opens in WAL mode with synchronous NORMAL (1) by default and for normal', async () => {
    const file = freshFile();
    for (const db of [openDb(file), openDb(file, 'normal')]) {
      expect(await pragma(db, 'journal_mode')).toBe('wal');
      expect(await pragma(db, 'synchronous')).toBe(1);
    }
  });

  it('opens with synchronous FULL (2) for full durability', async () => {
    const db = openDb(freshFile(), 'full');
    expect(await pragma(db, 'journal_mode')).toBe('wal');
    expect(await pragma(db, 'synchronous')).toBe(2);
  });

  it('leaves the file in WAL mode for other connections', async () => {
    const file = freshFile();
    await migrateToLatest(openDb(file, 'full'));
    const raw = new SQLite(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });
});
