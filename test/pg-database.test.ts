// The engine's PostgreSQL connection looks at its own schema only: Kysely's migrator asks
// which tables exist, and a question about every schema of the database failed when another
// one was dropped meanwhile (the test suites drop theirs all the time; so may other
// applications sharing a database).
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../src/store/pg-database.js';
import { adminQuery, freshSchema, postgresAvailable, type Schema } from './support/postgres.js';

const schemas: Schema[] = [];
afterEach(async () => {
  for (const schema of schemas.splice(0)) await schema.drop();
});

describe.runIf(postgresAvailable)('the PostgreSQL connection', () => {
  it('introspects its own schema only, so a schema dropped elsewhere meanwhile cannot fail a migration', async () => {
    const [own, other] = [await freshSchema(), await freshSchema()];
    schemas.push(own, other);
    await adminQuery(`create table "${own.schema}".mine (x int)`);
    await adminQuery(`create table "${other.schema}".theirs (x int)`);
    const database = await openPostgres(own.url);
    try {
      expect(await database.db.introspection.getSchemas()).toEqual([{ name: own.schema }]);
      expect((await database.db.introspection.getTables()).map((t) => `${t.schema}.${t.name}`)).toEqual([`${own.schema}.mine`]);
    } finally {
      await database.close();
    }
  });
});
