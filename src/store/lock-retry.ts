// A write refused because another process holds the database's write lock is tried again
// a little later, asynchronously, up to a bound. The connections that use this wait for no
// lock inside SQLite (busy_timeout 0): a wait there would freeze the event loop.
import { setTimeout } from 'node:timers/promises';
import { faultOf } from './storage-fault.js';

/** Waits before retry number `retry` (1, 2, …); resolves early once `signal` aborts. */
export type LockWait = (retry: number, signal: AbortSignal | undefined) => Promise<void>;

/** 2 ms, doubling to 50 ms: 100 retries wait about 5 s in all, the store's default lock_wait. */
export const backoff: LockWait = (retry, signal) => sleep(Math.min(2 ** retry, 50), signal);

export const DEFAULT_LOCK_RETRIES = 100;

/** The attempt's value, or why there is none: stopped by the signal, or still locked after every retry. */
export type Tried<T> = { ok: true; value: T } | { ok: false; reason: 'stopped' | 'locked' };

export interface RetryOptions {
  retries: number;
  wait: LockWait;
  signal?: AbortSignal;
}

/**
 * Runs `attempt` (a synchronous SQLite transaction, rolled back when it throws) until it is
 * not refused for a lock. Any other error is thrown as it is.
 */
export async function retryWhileLocked<T>(attempt: () => T, options: RetryOptions): Promise<Tried<T>> {
  for (let retry = 0; ; retry++) {
    if (options.signal?.aborted) return { ok: false, reason: 'stopped' };
    try {
      return { ok: true, value: attempt() };
    } catch (error) {
      if (faultOf(error) !== 'locked') throw error;
      if (retry >= options.retries) return { ok: false, reason: 'locked' };
    }
    await options.wait(retry + 1, options.signal);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts (Node's timer rejects then; a stop is not an error here). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return setTimeout(ms, undefined, { signal }).catch(() => undefined);
}
