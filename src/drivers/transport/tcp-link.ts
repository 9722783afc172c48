// A driver's TCP connection to a device: connects (bounded by a timeout), runs the
// driver's handshake, then sends queued commands one at a time and hands the frames
// nobody waited for to `onFrame`. When the connection drops it reports the module
// offline and reconnects with a doubling backoff; commands wait meanwhile. Every timer
// is on the module's clock, so a test moves time by hand; only the socket is real.
import { Socket } from 'node:net';
import { Backoff, type BackoffOptions } from './backoff.js';
import { CommandQueue, type QueueOptions, type SendOptions } from './command-queue.js';
import { HandshakeReader, type Handshake } from './handshake.js';
import type { LinkContext } from './link-context.js';
import type { Tokenizer } from './tokenizers.js';
import { TransportError } from './transport-errors.js';

export interface TcpOptions {
  host: string;
  port: number;
  /** How long a connection attempt may take (5 s). */
  connectTimeoutMs?: number;
  /** The wait between attempts: doubling from initialMs to maxMs (1 s to 30 s). */
  reconnect?: BackoffOptions;
  tokenizer: Tokenizer;
  queue?: QueueOptions;
  /** Sends `data` (as a lowest-priority command) every `everyMs`; no reply means the connection is dead. */
  keepAlive?: { everyMs: number; data: string | Buffer; reply?: SendOptions['reply'] };
  /** Runs on every new connection before any command goes out; a throw drops the connection with its message. */
  handshake?: (session: Handshake) => Promise<void>;
  /** Frames that are no command's reply (events the device sends on its own). */
  onFrame?: (frame: Buffer) => void;
  /** Told each time the link comes online or goes offline (to mirror it in the module's state). */
  onConnection?: (online: boolean, error: string | undefined) => void;
}

export interface TcpLink {
  /** Queues a command; resolves with its reply frame. */
  send(data: string | Buffer, options?: SendOptions): Promise<Buffer>;
  readonly online: boolean;
  /** Why it is offline, when it is. */
  readonly lastError: string | undefined;
  /** Closes the connection for good and rejects every waiting command. */
  close(): Promise<void>;
}

/** Opens a link to a device for a module: call it in the driver's start, and close it in stop. */
export function tcp(ctx: LinkContext, options: TcpOptions): TcpLink {
  return new Link(ctx, options);
}

class Link implements TcpLink {
  online = false;
  lastError: string | undefined;
  private socket: Socket | undefined;
  private handshake: HandshakeReader | undefined;
  private cancelTimer: (() => void) | undefined;
  private cancelKeepAlive: (() => void) | undefined;
  private stopped = false;
  private readonly queue: CommandQueue;
  private readonly backoff: Backoff;
  private readonly where: string;

  constructor(
    private readonly ctx: LinkContext,
    private readonly options: TcpOptions,
  ) {
    this.where = `${options.host}:${options.port}`;
    this.backoff = new Backoff(options.reconnect ?? { initialMs: 1_000, maxMs: 30_000 });
    this.queue = new CommandQueue(ctx.clock, (data) => this.socket?.write(data), options.queue);
    ctx.setConnection({ online: false });
    this.connect();
  }

  send(data: string | Buffer, options?: SendOptions): Promise<Buffer> {
    return this.queue.send(data, options);
  }

  close(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelKeepAlive?.();
    this.queue.close(`the link to ${this.where} was closed (the module stopped)`);
    this.report(false, undefined);
    const socket = this.socket;
    this.socket = undefined;
    if (!socket || socket.closed) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  private connect(): void {
    if (this.stopped) return;
    const socket = new Socket();
    // Commands are a few bytes each, sent one at a time: Nagle's delay would only slow them.
    socket.setNoDelay(true);
    this.socket = socket;
    this.options.tokenizer.reset();
    let reason = `${this.where} closed the connection`;
    const timeoutMs = this.options.connectTimeoutMs ?? 5_000;
    this.cancelTimer = this.ctx.clock.setTimeout(
      () => socket.destroy(new Error(`no connection within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.once('connect', () => {
      this.cancelTimer?.();
      void this.greet(socket);
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      for (const frame of this.options.tokenizer.push(chunk)) this.received(frame);
    });
    socket.on('error', (error) => (reason = `${this.where}: ${error.message}`));
    socket.once('close', () => this.dropped(socket, reason));
    socket.connect(this.options.port, this.options.host);
  }

  /** Runs the driver's handshake on a new connection, then lets commands go. */
  private async greet(socket: Socket): Promise<void> {
    const { handshake } = this.options;
    if (handshake) {
      const reader = new HandshakeReader(this.ctx.clock, this.options.connectTimeoutMs ?? 5_000, (data) => socket.write(data));
      this.handshake = reader;
      try {
        await handshake(reader);
      } catch (error) {
        if (this.socket === socket) socket.destroy(new Error(`handshake failed: ${(error as Error).message}`));
        return;
      } finally {
        if (this.handshake === reader) this.handshake = undefined;
      }
      if (this.socket !== socket) return;
      for (const frame of reader.drain()) this.received(frame);
    }
    this.backoff.reset();
    this.report(true, undefined);
    this.queue.resume();
    this.armKeepAlive(socket);
  }

  private received(frame: Buffer): void {
    if (this.handshake) return this.handshake.push(frame);
    if (!this.queue.offer(frame)) this.options.onFrame?.(frame);
  }

  private dropped(socket: Socket, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.cancelTimer?.();
    this.cancelKeepAlive?.();
    this.handshake?.fail(reason);
    this.queue.pause(reason);
    // The next attempt is scheduled before anyone hears of the drop, so whoever reacts
    // to the report (a test moving its fake clock) finds it in place.
    if (!this.stopped) this.cancelTimer = this.ctx.clock.setTimeout(() => this.connect(), this.backoff.next());
    this.report(false, reason);
  }

  private armKeepAlive(socket: Socket): void {
    const keepAlive = this.options.keepAlive;
    if (!keepAlive) return;
    this.cancelKeepAlive = this.ctx.clock.setTimeout(() => {
      if (this.socket !== socket) return;
      this.armKeepAlive(socket);
      this.queue
        .send(keepAlive.data, { name: 'keepalive', priority: Number.MIN_SAFE_INTEGER, reply: keepAlive.reply, retries: 0 })
        .catch((error: unknown) => {
          // A device that stopped answering is as good as gone: connect anew.
          if (error instanceof TransportError && error.code === 'timeout' && this.socket === socket)
            socket.destroy(new Error('no answer to the keepalive'));
        });
    }, keepAlive.everyMs);
  }

  /** Tells the module (and the driver) of a change; logs only transitions, not each failed attempt. */
  private report(online: boolean, error: string | undefined): void {
    const changed = online !== this.online;
    const newError = error !== this.lastError;
    if (!changed && !newError) return;
    this.online = online;
    this.lastError = error;
    this.ctx.setConnection({ online, error, queued: () => this.queue.size });
    if (changed && online) this.ctx.log.info('device connected', { module: this.ctx.address, device: this.where });
    if (!online && error && newError) this.ctx.log.warn('device offline', { module: this.ctx.address, reason: error });
    this.options.onConnection?.(online, error);
  }
}
