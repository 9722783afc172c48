// One engine per PostgreSQL database (and schema), until several nodes can share one: a
// second engine would fire every schedule and run every module twice. The engine holds a
// session advisory lock, named after the schema, on a connection of its own for as long as
// it runs; a second engine fails at start, naming the holder. The server drops the lock with
// the connection, however the engine ends; a connection lost while running is replaced and
// the lock taken again (the log says if another engine took it meanwhile). It needs a
// session: connect the engine directly or through session pooling, not a
// transaction-pooling PgBouncer.
import { hostname } from 'node:os';
import pg from 'pg';

/** How long after losing its connection the lock is asked for again (by default). */
const RETAKE_MS = 5_000;

export class DatabaseInUse extends Error {
  constructor(
    readonly schema: string,
    readonly holder: string | undefined,
  ) {
    super(
      `the PostgreSQL database (schema ${schema}) is in use by another engine (${holder ?? 'holder unknown'}); ` +
        'one engine per database for now: stop it first, or give this one its own database or schema',
    );
    this.name = 'DatabaseInUse';
  }
}

export interface EngineLock {
  release(): Promise<void>;
}

export async function lockDatabase(
  url: string,
  problem: (message: string) => void,
  { retakeMs = RETAKE_MS } = {},
): Promise<EngineLock> {
  let client = await take(url);
  let released = false;
  let retry: NodeJS.Timeout | undefined;
  const watch = (held: pg.Client) => {
    let gone = false;
    // Told once per connection (its error and its end both come).
    const lost = (reason: string) => {
      if (released || gone) return;
      gone = true;
      problem(`lost the engine's database lock (${reason}); taking it again in ${retakeMs / 1000} s`);
      retry = setTimeout(retake, retakeMs);
    };
    held.on('error', (error) => lost(error.message));
    held.on('end', () => lost('its connection ended'));
  };
  const retake = () => {
    take(url).then(
      (taken) => {
        if (released) return void taken.end().catch(() => undefined);
        client = taken;
        watch(taken);
      },
      (error: Error) => {
        problem(
          error instanceof DatabaseInUse
            ? `${error.message.split(';')[0]}: two engines share this database now; stop one`
            : `the engine's database lock could not be taken again (${error.message}); trying again in ${retakeMs / 1000} s`,
        );
        if (!released && !(error instanceof DatabaseInUse)) retry = setTimeout(retake, retakeMs);
      },
    );
  };
  watch(client);
  return {
    async release() {
      released = true;
      clearTimeout(retry);
      await client.end().catch(() => undefined);
    },
  };
}

/** A connection holding the lock; rejects with DatabaseInUse when another engine holds it. */
async function take(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, application_name: holderName() });
  client.on('error', () => {}); // an error before the lock is held is the query's, below
  try {
    await client.connect();
    const { rows } = await client.query<{ schema: string | null; locked: boolean | null }>(
      `select current_schema() as schema, pg_try_advisory_lock(${lockKey('current_schema()')}) as locked`,
    );
    const { schema, locked } = rows[0]!;
    if (schema === null)
      throw new Error('no schema of the search path exists in this database; create it, or name one that does');
    if (!locked) throw new DatabaseInUse(schema, await holderOf(client, schema));
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

/** The lock's key for the schema `schema` (SQL) names: one lock per schema. pg_locks shows its low 32 bits as objid. */
function lockKey(schema: string): string {
  return `hashtext('switchboard engine ' || ${schema})`;
}

function holderName(): string {
  return `switchboard pid ${process.pid} on ${hostname()}`.slice(0, 63);
}

/** Who holds the lock, as its connection named itself. */
async function holderOf(client: pg.Client, schema: string): Promise<string | undefined> {
  const { rows } = await client.query<{ name: string }>(
    `select a.application_name as name from pg_locks l join pg_stat_activity a on a.pid = l.pid
     where l.locktype = 'advisory' and l.granted and l.objid::bigint = (${lockKey('$1::text')}::bigint & 4294967295)
     limit 1`,
    [schema],
  );
  return rows[0]?.name || undefined;
}
