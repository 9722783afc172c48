// CI's check before the tests (.ci/run): the PostgreSQL the suites use must answer, or CI
// fails here, naming the server and why, before a suite can be skipped for want of it.
import { printableUrl } from '../../src/store/pg-database.js';
import { testPostgresUrl, unreachable } from './postgres-setup.js';

const url = testPostgresUrl();
const where = printableUrl(url);
const why = await unreachable(url);
if (why !== undefined) {
  console.error(`PostgreSQL at ${where} is unreachable (${why}); CI runs the PostgreSQL suites and needs it`);
  process.exit(1);
}
console.log(`PostgreSQL at ${where} answers`);
