// Tells a storage fault (the database is locked, the disk is full, an I/O error, the
// server cannot be reached) from a bad write (a constraint), by SQLite's error code or
// PostgreSQL's SQLSTATE. A fault fails a whole commit and is answered 503; a bad write
// fails only itself.

export type FaultKind = 'locked' | 'full' | 'io' | 'readonly' | 'corrupt' | 'closed' | 'unreachable';

const FAULTS: readonly [RegExp, FaultKind][] = [
  [/^SQLITE_(BUSY|LOCKED)/, 'locked'],
  [/^SQLITE_FULL/, 'full'],
  [/^SQLITE_(IOERR|CANTOPEN|NOMEM|NOLFS|PROTOCOL)/, 'io'],
  [/^SQLITE_READONLY/, 'readonly'],
  [/^SQLITE_(CORRUPT|NOTADB)/, 'corrupt'],
  // PostgreSQL: a deadlock, a serialization failure or a lock not available is tried again,
  // as SQLite's busy is.
  [/^(40P01|40001|55P03)$/, 'locked'],
  [/^53100$/, 'full'],
  [/^(53200|58\w{3})$/, 'io'],
  [/^25006$/, 'readonly'],
  [/^XX00[12]$/, 'corrupt'],
  // The connection: lost, refused, the server shutting down or out of connections.
  [/^(08\w{3}|57P0[1-4]|53300|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN)$/, 'unreachable'],
];

/** What node-postgres throws without a code when the connection goes. */
const LOST_CONNECTION =
  /^(Connection terminated|timeout exceeded when trying to connect|Client was closed|Client has encountered a connection error)/;

const DESCRIPTIONS: Record<FaultKind, string> = {
  locked: 'the database is locked by another process',
  full: 'the disk or the database is full',
  io: 'the disk reported an I/O error',
  readonly: 'the database cannot be written (read-only)',
  corrupt: 'the database file is damaged',
  closed: 'the database is closed',
  unreachable: 'the database server cannot be reached',
};

/** The fault an error from the database stands for, or undefined for an error of the write itself. */
export function faultOf(error: unknown): FaultKind | undefined {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    const fault = FAULTS.find(([pattern]) => pattern.test(code))?.[1];
    if (fault) return fault;
  }
  return typeof message === 'string' && LOST_CONNECTION.test(message) ? 'unreachable' : undefined;
}

export function describeFault(kind: FaultKind): string {
  return DESCRIPTIONS[kind];
}
