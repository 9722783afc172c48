// Traces: what a run records beyond its outcome. `runs.trace` says why it started when that
// is more than "a request fired it" (its cause, its compare conditions' values, a replay's
// origin); `run_actions.detail` an action's resolved arguments when they were templated, its
// result, the event it emitted. Both stay empty on the common path, so a plain fire stores
// no more than before. Each config generation is kept (its YAML as written, before ${ENV}
// expansion, and the overrides applied), with when each node began serving it, so a trace
// shows the config it ran under and a replay can use it. Failed runs are indexed by
// instance, so retention can keep the last few of each whatever their age.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('trace', 'text').execute();
  await db.schema.alterTable('run_actions').addColumn('detail', 'text').execute();
  await db.schema
    .createTable('config_generations')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('files', 'text', (c) => c.notNull())
    .addColumn('overrides', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('config_served')
    .addColumn('node_id', 'text', (c) => c.notNull())
    .addColumn('served_from', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('config_served_pk', ['node_id', 'served_from'])
    .execute();
  await db.schema.createIndex('config_served_from').on('config_served').column('served_from').execute();
  await sql`create index runs_failed on runs (instance_id, created_at) where status = 'failed'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('runs_failed').execute();
  await db.schema.dropTable('config_served').execute();
  await db.schema.dropTable('config_generations').execute();
  await db.schema.alterTable('run_actions').dropColumn('detail').execute();
  await db.schema.alterTable('runs').dropColumn('trace').execute();
}
