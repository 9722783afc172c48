// Prunes the store once an hour (and at start) by `server.retention`, on the engine clock,
// then gives the freed space back. A round works in small batches and stops between two of
// them when the engine stops; a round that another process locks out gives up and the next
// hour's round carries on.
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import { PruneLocked, type Pruned, type Retention } from './store/retention-repo.js';

export const PRUNE_EVERY_MS = 3_600_000;

export class RetentionJob {
  private cancel: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();

  constructor(
    private readonly repo: Retention,
    private readonly retentionMs: number,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** How many of each instance's newest failed runs stay whatever their age. */
    private readonly keepFailed = 0,
  ) {}

  start(): void {
    if (this.retentionMs <= 0) return;
    this.schedule(0);
  }

  /** Ends a round in progress at its next batch, and starts no other. */
  async stop(): Promise<void> {
    this.stopping.abort();
    this.cancel?.();
    this.cancel = undefined;
    await this.running;
  }

  /** Prunes now; resolves with nothing, logging what went. */
  async pruneOnce(): Promise<void> {
    const signal = this.stopping.signal;
    let pruned: Pruned;
    try {
      pruned = await this.repo.prune(this.clock.now() - this.retentionMs, { signal, keepFailed: this.keepFailed });
    } catch (error) {
      if (!(error instanceof PruneLocked)) throw error;
      this.log.warn({ ...error.pruned }, 'pruning stopped for this round: another process held the database lock');
      return;
    }
    if (!Object.values(pruned).some((n) => n > 0)) return;
    this.log.info(pruned, 'pruned records older than the retention');
    if (signal.aborted) return;
    const reclaimed = await this.repo.reclaimSpace({ signal });
    this.log.debug(reclaimed, 'gave freed space back');
  }

  private schedule(delay: number): void {
    this.cancel = this.clock.setTimeout(() => {
      this.running = this.pruneOnce()
        .catch((error: Error) => this.log.error({ reason: error.message }, 'pruning failed'))
        .finally(() => {
          this.running = undefined;
          if (this.cancel) this.schedule(PRUNE_EVERY_MS);
        });
    }, delay);
  }
}
