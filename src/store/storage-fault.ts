// Tells a storage fault (the database is locked, the disk is full, an I/O error) from a
// bad write (a constraint), by SQLite's error code. A fault fails a whole commit and is
// answered 503; a bad write fails only itself.

export type FaultKind = 'locked' | 'full' | 'io' | 'readonly' | 'corrupt' | 'closed';

const FAULTS: readonly [RegExp, FaultKind][] = [
  [/^SQLITE_(BUSY|LOCKED)/, 'locked'],
  [/^SQLITE_FULL/, 'full'],
  [/^SQLITE_(IOERR|CANTOPEN|NOMEM|NOLFS|PROTOCOL)/, 'io'],
  [/^SQLITE_READONLY/, 'readonly'],
  [/^SQLITE_(CORRUPT|NOTADB)/, 'corrupt'],
];

const DESCRIPTIONS: Record<FaultKind, string> = {
  locked: 'the database is locked by another process',
  full: 'the disk or the database is full',
  io: 'the disk reported an I/O error',
  readonly: 'the database cannot be written (read-only)',
  corrupt: 'the database file is damaged',
  closed: 'the database is closed',
};

/** The fault an error from SQLite stands for, or undefined for an error of the write itself. */
export function faultOf(error: unknown): FaultKind | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  return FAULTS.find(([pattern]) => pattern.test(code))?.[1];
}

export function describeFault(kind: FaultKind): string {
  return DESCRIPTIONS[kind];
}
