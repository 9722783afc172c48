// Group commit: the units of work requested during one event-loop turn are applied in one
// transaction, and each caller's promise settles once that transaction is durable (one
// commit per turn instead of one per request is what lets the fire path record every
// request before its 202). A lock held by another process is waited for asynchronously,
// each unit up to its deadline; a storage fault fails the batch with StoreUnavailable; a
// bad write fails alone.
import { StoreUnavailable } from '../errors.js';
import { describeFault, faultOf, type FaultKind } from './storage-fault.js';
import type { StoreHealth } from './store-health.js';
import type { StoreWrite, UnitOfWork } from './writes.js';

/** Applies units of writes in one transaction, or throws and applies none. */
export interface WriteApplier {
  applyAll(units: readonly (readonly StoreWrite[])[]): void;
}

interface PendingUnit {
  writes: readonly StoreWrite[];
  /** Real time after which a unit still waiting for a lock is refused. */
  deadline: number;
  resolve(): void;
  reject(error: unknown): void;
}

/** The longest pause between two tries for a lock held elsewhere. */
const MAX_RETRY_DELAY_MS = 25;

export class WriteBatcher implements UnitOfWork {
  private pending: PendingUnit[] = [];
  private scheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay = 0;
  private closed = false;

  constructor(
    private readonly applier: WriteApplier,
    private readonly health: StoreHealth,
    /** How long a unit may wait for a lock held by another process before it is refused. */
    private readonly waitMs: number,
  ) {}

  commit(writes: readonly StoreWrite[]): Promise<void> {
    if (this.closed) return Promise.reject(unavailable('closed'));
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ writes, deadline: Date.now() + this.waitMs, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Commits what is pending now. */
  flush(): void {
    this.scheduled = false;
    this.retryTimer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    try {
      this.applier.applyAll(batch.map((unit) => unit.writes));
      this.succeeded(batch);
    } catch (error) {
      this.failed(batch, error);
    }
  }

  /** Commits what is pending (one last try), refuses what still cannot be, and takes no more. */
  close(): void {
    clearTimeout(this.retryTimer);
    this.flush();
    clearTimeout(this.retryTimer);
    for (const unit of this.pending.splice(0)) unit.reject(unavailable('closed'));
    this.closed = true;
  }

  private succeeded(batch: readonly PendingUnit[]): void {
    this.retryDelay = 0;
    this.health.recordSuccess();
    for (const unit of batch) unit.resolve();
  }

  private failed(batch: PendingUnit[], error: unknown): void {
    const fault = faultOf(error);
    if (fault === 'locked') return this.waitForLock(batch);
    if (fault) {
      this.health.recordFault(fault);
      for (const unit of batch) unit.reject(unavailable(fault, error));
      return;
    }
    // One bad write must not fail its neighbours: apply each unit on its own.
    for (const unit of batch) {
      try {
        this.applier.applyAll([unit.writes]);
        this.succeeded([unit]);
      } catch (own) {
        const ownFault = faultOf(own);
        if (ownFault) this.health.recordFault(ownFault);
        unit.reject(ownFault ? unavailable(ownFault, own) : own);
      }
    }
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
