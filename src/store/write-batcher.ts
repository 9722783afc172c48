// Group commit for SQLite: writes requested during one event-loop turn are applied in
// one transaction, and each caller's promise settles once that transaction is durable.
// One commit per turn instead of one per request is what lets the fire path record
// every request before its 202 and still keep up with a bare server.
import type SQLite from 'better-sqlite3';

interface PendingWrite {
  apply(): void;
  resolve(): void;
  reject(error: unknown): void;
}

export class WriteBatcher {
  private pending: PendingWrite[] = [];
  private scheduled = false;
  private closed = false;

  constructor(private readonly sqlite: SQLite.Database) {}

  /** Applies `apply` (synchronous statements) in the next group commit. */
  write(apply: () => void): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the database is closed'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ apply, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is pending now (used before closing). */
  flush(): void {
    this.scheduled = false;
    if (this.pending.length === 0) return;
    // Never nest inside another transaction on this connection (a migration, say):
    // our writes would then commit or roll back with it, after we said they were durable.
    if (this.sqlite.inTransaction) {
      this.scheduled = true;
      setImmediate(() => this.flush());
      return;
    }
    const batch = this.pending;
    this.pending = [];
    try {
      this.sqlite.transaction(() => {
        for (const write of batch) write.apply();
      })();
      for (const write of batch) write.resolve();
    } catch {
      // One bad write must not fail its neighbours: retry each on its own.
      for (const write of batch) {
        try {
          this.sqlite.transaction(write.apply)();
          write.resolve();
        } catch (error) {
          write.reject(error);
        }
      }
    }
  }

  close(): void {
    this.flush();
    this.closed = true;
  }
}
