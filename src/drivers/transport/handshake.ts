// The frames of a new connection before it is ready for commands: a driver's handshake
// (a greeting to read, a login to answer) reads them one at a time, each read bounded by
// the engine's clock so a silent device cannot hold the link.
import type { Clock } from '../../clock.js';

export interface Handshake {
  /** The next frame the device sends; rejects when none comes within `timeoutMs`. */
  next(timeoutMs?: number): Promise<Buffer>;
  /** Sends bytes outside the command queue. */
  write(data: string | Buffer): void;
}

export class HandshakeReader implements Handshake {
  private frames: Buffer[] = [];
  private waiter: { resolve(frame: Buffer): void; reject(error: Error): void; cancel(): void } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly defaultTimeoutMs: number,
    readonly write: (data: string | Buffer) => void,
  ) {}

  push(frame: Buffer): void {
    const waiter = this.waiter;
    if (!waiter) return void this.frames.push(frame);
    this.waiter = undefined;
    waiter.cancel();
    waiter.resolve(frame);
  }

  /** The connection is gone: a pending read fails with `reason`. */
  fail(reason: string): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.cancel();
    waiter?.reject(new Error(reason));
  }

  next(timeoutMs = this.defaultTimeoutMs): Promise<Buffer> {
    const ready = this.frames.shift();
    if (ready) return Promise.resolve(ready);
    if (this.waiter) return Promise.reject(new Error('a handshake reads one frame at a time'));
    return new Promise((resolve, reject) => {
      const cancel = this.clock.setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`the device sent nothing within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiter = { resolve, reject, cancel };
    });
  }

  /** Frames that came after the handshake's last read: they belong to what follows. */
  drain(): Buffer[] {
    const rest = this.frames;
    this.frames = [];
    return rest;
  }
}
