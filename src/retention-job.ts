// Prunes the store once an hour (and at start) by `server.retention`, on the engine clock.
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { RetentionRepo } from './store/retention-repo.js';

export const PRUNE_EVERY_MS = 3_600_000;

export class RetentionJob {
  private cancel: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly repo: RetentionRepo,
    private readonly retentionMs: number,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.retentionMs <= 0) return;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.cancel?.();
    this.cancel = undefined;
    await this.running;
  }

  /** Prunes now; resolves with nothing, logging what went. */
  async pruneOnce(): Promise<void> {
    const pruned = await this.repo.prune(this.clock.now() - this.retentionMs);
    if (Object.values(pruned).some((n) => n > 0)) this.log.info(pruned, 'pruned records older than the retention');
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
