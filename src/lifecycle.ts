// The engine's parts in one list: each is started in order and stopped in reverse, and
// each says how it is, so /readyz reports part by part (started, or starting, stopping,
// failed with why; and when started, its own health: the store can write, every module
// started or failed, the delivery worker polls). A part that fails to start stops the
// ones before it, and the engine does not start.
import type { Logger } from './logger.js';

export interface PartHealth {
  ok: boolean;
  detail: string;
}

export interface Part<T = void> {
  readonly name: string;
  /** Starts the part; what it resolves to is what the engine goes on with (a store, a server). */
  start(): Promise<T> | T;
  /** Stops it; also called after a failed start, so it must cope with a part half started. */
  stop?(): Promise<void> | void;
  /** How a started part is doing; a part without it is fine once started. */
  health?(): PartHealth;
}

export type PartState = 'starting' | 'started' | 'failed' | 'stopping' | 'stopped';

export interface PartReport extends PartHealth {
  state: PartState;
}

interface Entry {
  part: Part<unknown>;
  state: PartState;
  failure?: string;
}

export class Lifecycle {
  private readonly entries: Entry[] = [];
  private stopping: Promise<void> | undefined;

  constructor(private readonly log: Logger) {}

  /** Starts `part` after the ones started before it. */
  async start<T>(part: Part<T>): Promise<T> {
    const entry: Entry = { part: part as Part<unknown>, state: 'starting' };
    this.entries.push(entry);
    try {
      const value = await part.start();
      entry.state = 'started';
      return value;
    } catch (error) {
      entry.state = 'failed';
      entry.failure = (error as Error).message;
      throw error;
    }
  }

  /** Stops every part, the last started first (later calls get the same promise); one that fails to stop is logged and the rest go on. */
  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      for (const entry of [...this.entries].reverse()) {
        if (entry.state !== 'started' && entry.state !== 'failed') continue;
        entry.state = 'stopping';
        try {
          await entry.part.stop?.();
        } catch (error) {
          this.log.error({ part: entry.part.name, reason: (error as Error).message }, 'part did not stop cleanly');
        }
        entry.state = 'stopped';
      }
    })());
  }

  /** Each part: its state, and for a started one its health. */
  report(): Record<string, PartReport> {
    const report: Record<string, PartReport> = {};
    for (const { part, state, failure } of this.entries) {
      if (state !== 'started') {
        report[part.name] = { state, ok: false, detail: failure ? `${state}: ${failure}` : state };
        continue;
      }
      let health: PartHealth;
      try {
        health = part.health?.() ?? { ok: true, detail: 'started' };
      } catch (error) {
        health = { ok: false, detail: `the check failed: ${(error as Error).message}` };
      }
      report[part.name] = { state, ...health };
    }
    return report;
  }
}
