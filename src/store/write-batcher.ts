// Group commit: the units of work requested during one event-loop turn are applied in one
// transaction, and each caller's promise settles once that transaction is durable (one
// commit per turn instead of one per request is what lets the fire path record every
// request before its 202). A lock held by another process is waited for asynchronously,
// each unit up to its deadline; a storage fault fails the batch with StoreUnavailable; a
// bad write fails alone. SQLite's writer applies a batch at once, inside the turn;
// PostgreSQL's resolves when the server has committed it, and the units that arrive
// meanwhile make the next batch.
import { StoreUnavailable } from '../errors.js';
import { describeFault, faultOf, type FaultKind } from './storage-fault.js';
import type { StoreHealth } from './store-health.js';
import type { Refusal, StoreWrite, UnitOfWork } from './writes.js';

/** Which units of a batch their guards refused (by position) and why, when any did. */
export type Refused = ReadonlyMap<number, Refusal> | void;

/** Applies units of writes in one transaction, or fails and applies none: at once (returns) or later (a promise). */
export interface WriteApplier {
  applyAll(units: readonly (readonly StoreWrite[])[]): Refused | Promise<Refused>;
}

interface PendingUnit {
  writes: readonly StoreWrite[];
  /** Real time after which a unit still waiting for a lock is refused. */
  deadline: number;
  /** With why its guards refused it, or undefined when they let it through (or it had none). */
  resolve(refusal: Refusal | undefined): void;
  reject(error: unknown): void;
}

/** The longest pause between two tries for a lock held elsewhere. */
const MAX_RETRY_DELAY_MS = 25;

export class WriteBatcher implements UnitOfWork {
  private pending: PendingUnit[] = [];
  private scheduled = false;
  /** The batch an asynchronous applier has now: the next waits for it. */
  private applying: Promise<void> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = 0;
  private closed = false;

  constructor(
    private readonly applier: WriteApplier,
    private readonly health: StoreHealth,
    /** How long a unit may wait for a lock held by another process before it is refused. */
    private readonly waitMs: number,
  ) {}

  commit(writes: readonly StoreWrite[]): Promise<Refusal | undefined> {
    if (this.closed) return Promise.reject(unavailable('closed'));
    return new Promise<Refusal | undefined>((resolve, reject) => {
      this.pending.push({ writes, deadline: Date.now() + this.waitMs, resolve, reject });
      this.schedule();
    });
  }

  /** Commits what is pending now (after the batch an asynchronous applier still has). */
  flush(): void {
    this.scheduled = false;
    this.retryTimer = undefined;
    if (this.pending.length === 0 || this.applying) return;
    const batch = this.pending;
    this.pending = [];
    let outcome: void | Promise<void>;
    try {
      const applied = this.applier.applyAll(batch.map((unit) => unit.writes));
      outcome =
        applied instanceof Promise
          ? applied.then(
              (refused) => this.succeeded(batch, refused),
              (error: unknown) => this.failed(batch, error),
            )
          : this.succeeded(batch, applied);
    } catch (error) {
      outcome = this.failed(batch, error);
    }
    if (!outcome) return;
    this.applying = outcome.finally(() => {
      this.applying = undefined;
      if (this.pending.length > 0) this.schedule();
    });
  }

  /** Commits what is pending (one last try), refuses what still cannot be, and takes no more. */
  async close(): Promise<void> {
    clearTimeout(this.retryTimer);
    await this.applying;
    this.flush();
    await this.applying;
    clearTimeout(this.retryTimer);
    for (const unit of this.pending.splice(0)) unit.reject(unavailable('closed'));
    this.closed = true;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private succeeded(batch: readonly PendingUnit[], refused: Refused): void {
    this.retryDelay = 0;
    this.health.recordSuccess();
    for (const [i, unit] of batch.entries()) unit.resolve(refused?.get(i));
  }

  private failed(batch: PendingUnit[], error: unknown): void | Promise<void> {
    const fault = faultOf(error);
    if (fault === 'locked') return this.waitForLock(batch);
    if (fault) {
      this.health.recordFault(fault);
      for (const unit of batch) unit.reject(unavailable(fault, error));
      return;
    }
    return this.oneByOne(batch);
  }

  /** One bad write must not fail its neighbours: each unit is applied on its own (in order, one at a time). */
  private oneByOne(batch: readonly PendingUnit[]): void | Promise<void> {
    for (const [i, unit] of batch.entries()) {
      let applied: Refused | Promise<Refused>;
      try {
        applied = this.applier.applyAll([unit.writes]);
      } catch (own) {
        this.refuse(unit, own);
        continue;
      }
      if (!(applied instanceof Promise)) {
        this.succeeded([unit], applied);
        continue;
      }
      // An asynchronous applier: the rest wait for this one.
      return applied
        .then(
          (refused) => this.succeeded([unit], refused),
          (own: unknown) => this.refuse(unit, own),
        )
        .then(() => this.oneByOne(batch.slice(i + 1)));
    }
  }

  private refuse(unit: PendingUnit, error: unknown): void {
    const fault = faultOf(error);
    if (fault) this.health.recordFault(fault);
    unit.reject(fault ? unavailable(fault, error) : error);
  }

  /** Another process holds the write lock: try again shortly, refusing units past their deadline. */
  private waitForLock(batch: PendingUnit[]): void {
    this.health.recordFault('locked');
    const now = Date.now();
    for (const unit of batch) if (unit.deadline <= now) unit.reject(unavailable('locked'));
    this.pending = [...batch.filter((unit) => unit.deadline > now), ...this.pending];
    if (this.pending.length === 0) return;
    this.retryDelay = Math.min(Math.max(1, this.retryDelay * 2), MAX_RETRY_DELAY_MS);
    this.scheduled = true;
    this.retryTimer = setTimeout(() => this.flush(), this.retryDelay);
  }
}

function unavailable(fault: FaultKind, cause?: unknown): StoreUnavailable {
  return new StoreUnavailable(fault, describeFault(fault), cause);
}
