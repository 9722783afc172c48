// Runs keyed by their id alone. A run row is small (about 190 bytes) and always found by
// its id, so the table is stored in id order WITHOUT ROWID: no second b-tree holding every
// id again (37 bytes and one more insert per fire). Ids are time-ordered, so retention walks
// them in id order as it walked rowids. The last action's times become offsets from the
// run's end (0 when it ended the run, as it always does), 24 bytes less than two
// millisecond timestamps; rows copied here are rewritten to match. PostgreSQL has no rowid
// to drop (its tables are heaps, found through the primary key's index): there only the
// last action's times are rewritten.
import { sql, type Kysely } from 'kysely';
import { isPostgres } from './dialect.js';

/** On PostgreSQL: the last action's two times moved by `sign` × the run's end (jsonb keeps the other five as they are). */
function shiftLastAction(db: Kysely<unknown>, sign: 1 | -1): Promise<unknown> {
  return sql`update runs set last_action = jsonb_build_array(
      la -> 0, la -> 1, la -> 2, la -> 3, la -> 4,
      (la ->> 5)::bigint + ${sign} * finished_at, (la ->> 6)::bigint + ${sign} * finished_at)::text
    from (select id as la_id, last_action::jsonb as la from runs where last_action is not null) as parsed
    where runs.id = parsed.la_id`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await shiftLastAction(db, -1);
    return;
  }
  await sql`create table runs_by_id (
    id text primary key not null,
    instance_id text not null,
    trigger_id text not null,
    system_id text not null,
    request_id text,
    created_at bigint not null,
    status text not null,
    input text not null,
    finished_at bigint,
    error text,
    last_action text
  ) without rowid`.execute(db);
  await sql`insert into runs_by_id
    select id, instance_id, trigger_id, system_id, request_id, created_at, status, input, finished_at, error,
      case when last_action is null then null else json_array(
        last_action ->> '$[0]', last_action ->> '$[1]', last_action ->> '$[2]', last_action ->> '$[3]', last_action ->> '$[4]',
        (last_action ->> '$[5]') - finished_at, (last_action ->> '$[6]') - finished_at) end
    from runs`.execute(db);
  await sql`drop table runs`.execute(db);
  await sql`alter table runs_by_id rename to runs`.execute(db);
  await sql`create index runs_pending on runs (created_at, id) where status = 'pending'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) {
    await shiftLastAction(db, 1);
    return;
  }
  await sql`create table runs_with_rowid (
    id text primary key, instance_id text not null, trigger_id text not null, system_id text not null,
    request_id text, created_at bigint not null, status text not null, input text not null,
    finished_at bigint, error text, last_action text)`.execute(db);
  await sql`insert into runs_with_rowid
    select id, instance_id, trigger_id, system_id, request_id, created_at, status, input, finished_at, error,
      case when last_action is null then null else json_array(
        last_action ->> '$[0]', last_action ->> '$[1]', last_action ->> '$[2]', last_action ->> '$[3]', last_action ->> '$[4]',
        (last_action ->> '$[5]') + finished_at, (last_action ->> '$[6]') + finished_at) end
    from runs order by id`.execute(db);
  await sql`drop table runs`.execute(db);
  await sql`alter table runs_with_rowid rename to runs`.execute(db);
  await sql`create index runs_pending on runs (created_at, id) where status = 'pending'`.execute(db);
}
