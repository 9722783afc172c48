// What the store knows of its own health: the storage fault its last commit met (if
// any) and since when, and a probe that asks whether a write could start now. /readyz
// reads both; a fault clears itself with the next commit that succeeds.
import { describeFault, faultOf, type FaultKind } from './storage-fault.js';

/** A fault seen by a real commit keeps the store "not ready" this long after it was last seen. */
export const RECENT_FAULT_MS = 5_000;

export interface StoreReadiness {
  ok: boolean;
  /** "ok", or what is wrong and since when. */
  detail: string;
}

interface SeenFault {
  kind: FaultKind;
  since: number;
  lastAt: number;
}

export class StoreHealth {
  private fault: SeenFault | undefined;

  constructor(
    private readonly now: () => number = Date.now,
    /** Whether a lock met now is the store's own checkpoint holding commits back for a moment (not a fault). */
    private readonly ownLock: () => boolean = () => false,
  ) {}

  recordSuccess(): void {
    this.fault = undefined;
  }

  recordFault(kind: FaultKind): void {
    if (kind === 'locked' && this.ownLock()) return;
    const at = this.now();
    if (this.fault?.kind === kind) this.fault.lastAt = at;
    else this.fault = { kind, since: at, lastAt: at };
  }

  /** The fault of the last commit, if it failed. */
  get current(): { kind: FaultKind; since: number } | undefined {
    return this.fault && { kind: this.fault.kind, since: this.fault.since };
  }

  /**
   * Ready when `probe` (may a write start now?) succeeds and no commit met a fault in the
   * last few seconds: a disk that fills up only as a commit grows the file is seen by the
   * commits, not by the probe.
   */
  readiness(probe: () => void): StoreReadiness {
    try {
      probe();
    } catch (error) {
      const kind = faultOf(error) ?? 'io';
      if (kind === 'locked' && this.ownLock()) return { ok: true, detail: 'ok (checkpointing)' };
      this.recordFault(kind);
      return { ok: false, detail: this.describe() };
    }
    if (this.fault && this.now() - this.fault.lastAt < RECENT_FAULT_MS) return { ok: false, detail: this.describe() };
    return { ok: true, detail: 'ok' };
  }

  private describe(): string {
    const fault = this.fault!;
    const seconds = ((this.now() - fault.since) / 1000).toFixed(1);
    return `${describeFault(fault.kind)} (for ${seconds} s)`;
  }
}
