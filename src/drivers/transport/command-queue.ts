// The commands a driver sends over one link: one in flight at a time, higher priority
// first (FIFO among equals), a newer command replacing a queued one of the same name,
// each with its own timeout and retries on the engine's clock. While the link is offline
// commands wait (up to a limit) and go out when it is back.
import type { Clock } from '../../clock.js';
import {
  CommandRejected,
  CommandReplaced,
  CommandTimeout,
  LinkClosed,
  printable,
  QueueFull,
  TransportError,
} from './transport-errors.js';

/** What a reply check says of a received frame. */
export type ReplyVerdict = boolean | 'ignore';

export interface SendOptions {
  /** A queued command of the same name is replaced by this one (its promise rejects). */
  name?: string;
  /** Higher goes first; default 0. */
  priority?: number;
  timeoutMs?: number;
  /** How many times to send again after a timeout or a dropped connection. */
  retries?: number;
  /**
   * Whether a frame is this command's reply: true resolves the command with it, false
   * rejects it as refused, 'ignore' leaves it to `onFrame` and keeps waiting. Without a
   * check the first frame received is the reply.
   */
  reply?: (frame: Buffer) => ReplyVerdict;
}

export interface QueueOptions {
  /** Default per-command timeout (5 s). */
  timeoutMs?: number;
  /** Default retries (2). */
  retries?: number;
  /** How many commands may wait (50); more are refused with QueueFull. */
  maxQueued?: number;
}

interface Command {
  data: Buffer;
  name: string | undefined;
  priority: number;
  seq: number;
  timeoutMs: number;
  triesLeft: number;
  tries: number;
  reply: ((frame: Buffer) => ReplyVerdict) | undefined;
  resolve(frame: Buffer): void;
  reject(error: TransportError): void;
}

export class CommandQueue {
  private waiting: Command[] = [];
  private inFlight: { command: Command; cancelTimeout: () => void } | undefined;
  private seq = 0;
  private ready = false;
  private closed: LinkClosed | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxQueued: number;

  constructor(
    private readonly clock: Clock,
    private readonly write: (data: Buffer) => void,
    options: QueueOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.retries = options.retries ?? 2;
    this.maxQueued = options.maxQueued ?? 50;
  }

  get size(): number {
    return this.waiting.length + (this.inFlight ? 1 : 0);
  }

  send(data: string | Buffer, options: SendOptions = {}): Promise<Buffer> {
    if (this.closed) return Promise.reject(this.closed);
    return new Promise<Buffer>((resolve, reject) => {
      if (options.name !== undefined) {
        const older = this.waiting.find((c) => c.name === options.name);
        if (older) {
          this.waiting = this.waiting.filter((c) => c !== older);
          older.reject(new CommandReplaced(options.name));
        }
      }
      if (this.waiting.length >= this.maxQueued) return reject(new QueueFull(this.maxQueued));
      const retries = options.retries ?? this.retries;
      this.waiting.push({
        data: Buffer.from(data),
        name: options.name,
        priority: options.priority ?? 0,
        seq: this.seq++,
        timeoutMs: options.timeoutMs ?? this.timeoutMs,
        triesLeft: retries + 1,
        tries: 0,
        reply: options.reply,
        resolve,
        reject,
      });
      this.pump();
    });
  }

  /** Offers a received frame to the command in flight; false when it is not its reply. */
  offer(frame: Buffer): boolean {
    const current = this.inFlight?.command;
    if (!current) return false;
    const verdict = current.reply ? current.reply(frame) : true;
    if (verdict === 'ignore') return false;
    this.finish();
    if (verdict) current.resolve(frame);
    else current.reject(new CommandRejected(describe(current), frame));
    this.pump();
    return true;
  }

  /** The link is up (and past its handshake): commands go out. */
  resume(): void {
    this.ready = true;
    this.pump();
  }

  /**
   * The connection dropped: the command in flight goes back to the head of the queue when
   * it has tries left (the device may never have seen it), and the rest wait.
   */
  pause(reason: string): void {
    this.ready = false;
    const current = this.inFlight?.command;
    if (!current) return;
    this.finish();
    if (current.triesLeft > 0) this.waiting.unshift(current);
    else current.reject(new LinkClosed(`${describe(current)} was lost: ${reason}`));
  }

  /** Rejects everything, now and from now on (the link stopped). */
  close(reason: string): void {
    this.ready = false;
    this.closed = new LinkClosed(reason);
    const all = [...(this.inFlight ? [this.inFlight.command] : []), ...this.waiting];
    if (this.inFlight) this.finish();
    this.waiting = [];
    for (const command of all) command.reject(new LinkClosed(`${describe(command)} was not answered: ${reason}`));
  }

  private pump(): void {
    if (!this.ready || this.inFlight || this.waiting.length === 0) return;
    const next = this.waiting.reduce((best, c) => (c.priority > best.priority ? c : best));
    this.waiting = this.waiting.filter((c) => c !== next);
    this.transmit(next);
  }

  private transmit(command: Command): void {
    command.triesLeft--;
    command.tries++;
    const cancelTimeout = this.clock.setTimeout(() => this.timedOut(command), command.timeoutMs);
    this.inFlight = { command, cancelTimeout };
    this.write(command.data);
  }

  private timedOut(command: Command): void {
    if (this.inFlight?.command !== command) return;
    this.inFlight = undefined;
    if (command.triesLeft > 0 && this.ready) this.transmit(command);
    else {
      command.reject(new CommandTimeout(describe(command), command.timeoutMs, command.tries));
      this.pump();
    }
  }

  private finish(): void {
    this.inFlight?.cancelTimeout();
    this.inFlight = undefined;
  }
}

const describe = (c: Command) => (c.name ? `command "${c.name}"` : `command ${printable(c.data)}`);
