// What differs between the two backends in a migration, said once: the same migrations
// build the same tables on SQLite and on PostgreSQL, and only these types and the few
// statements Kysely cannot write portably (008) look at which one they run on.
import { PostgresAdapter, sql, type ColumnDataType, type CreateTableBuilder, type Kysely } from 'kysely';

export function isPostgres(db: Kysely<unknown>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Raw bytes: `blob` on SQLite, `bytea` on PostgreSQL. */
export function bytesType(db: Kysely<unknown>): ColumnDataType {
  return isPostgres(db) ? 'bytea' : 'blob';
}

/** A fractional number read back exactly as written (PostgreSQL's `real` keeps only 6 digits). */
export function fractionType(db: Kysely<unknown>): ColumnDataType {
  return isPostgres(db) ? 'double precision' : 'real';
}

/** A table's own sequence number as its primary key: `integer … autoincrement` on SQLite, `bigserial` on PostgreSQL. */
export function sequenceKey<TB extends string, C extends string, N extends string>(
  db: Kysely<unknown>,
  table: CreateTableBuilder<TB, C>,
  name: N,
): CreateTableBuilder<TB, C | N> {
  return isPostgres(db)
    ? table.addColumn(name, 'bigserial', (c) => c.primaryKey())
    : table.addColumn(name, 'integer', (c) => c.primaryKey().autoIncrement());
}

/**
 * A table keyed by its primary key alone: stored in key order WITHOUT ROWID on SQLite (no
 * second b-tree for the key), as PostgreSQL's heap with its key index is anyway.
 */
export function keyedByPrimaryKey<TB extends string, C extends string>(
  db: Kysely<unknown>,
  table: CreateTableBuilder<TB, C>,
): CreateTableBuilder<TB, C> {
  return isPostgres(db) ? table : table.modifyEnd(sql`without rowid`);
}
