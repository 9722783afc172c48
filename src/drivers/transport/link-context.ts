// What a link needs of its module's context (ModuleContext has all of it): kept apart so
// the transport does not import the driver API that re-exports it.
import type { Clock } from '../../clock.js';

/** Whether a module's device connection is up, and why not when it is down. */
export interface ConnectionReport {
  online: boolean;
  error?: string | undefined;
  /** How many commands wait or are in flight, read when an operator looks (`switchboard modules`). */
  queued?: () => number;
}

export interface LinkContext {
  readonly address: string;
  readonly clock: Clock;
  readonly log: {
    info(message: string, fields?: Record<string, unknown>): void;
    warn(message: string, fields?: Record<string, unknown>): void;
  };
  setConnection(report: ConnectionReport): void;
}
