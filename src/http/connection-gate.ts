// Caps open connections, in all and per address, so one greedy or slow client (a
// slowloris holding sockets open) cannot take every socket: a connection over a cap is
// answered 503 and closed before anything it sends is read. A trusted proxy's
// connections carry many clients, so they count toward the total only (the per-client
// cap for those is applied per request, on the real address). It also knows which
// connections carry a request in flight, so a shutdown can cut the others at once and
// those past their deadline (Node stops enforcing deadlines once the server closes).
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../logger.js';

export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
}

const BUSY_BODY = JSON.stringify({ error: 'too_many_connections', message: 'Too many open connections; try again shortly.' });
const BUSY_RESPONSE =
  'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Type: application/json\r\n' +
  `Content-Length: ${Buffer.byteLength(BUSY_BODY)}\r\n\r\n${BUSY_BODY}`;

export class ConnectionGate {
  private total = 0;
  private readonly byAddress = new Map<string, number>();
  private readonly refused = new WeakSet<Socket>();
  /** Admitted connections, with when the request they carry started (undefined: none in flight). */
  private readonly admitted = new Map<Socket, number | undefined>();
  private lastWarning = 0;

  constructor(
    private readonly limits: ConnectionLimits,
    /** Whether a peer is a trusted proxy, exempt from the per-address cap. */
    private readonly isProxy: (peer: string) => boolean,
    private readonly log: Logger,
  ) {}

  /** Watches the server's new connections; `tls` servers close refused ones without an answer (it would not be TLS). */
  attach(server: Server, tls: boolean): void {
    server.prependListener('connection', (socket: Socket) => this.admit(socket, tls));
  }

  /** Whether a socket was refused: its requests must not reach the app. */
  isRefused(socket: Socket): boolean {
    return this.refused.has(socket);
  }

  get open(): number {
    return this.total;
  }

  /** A request arrived on the socket (its headers are in); it is in flight until its answer ends. */
  requestStarted(socket: Socket, at: number): void {
    if (this.admitted.has(socket)) this.admitted.set(socket, at);
  }

  requestEnded(socket: Socket): void {
    if (this.admitted.has(socket)) this.admitted.set(socket, undefined);
  }

  /**
   * For a shutdown: closes every connection without a request in flight (idle, or still
   * sending headers that arrived too late to be served) and those whose request is older
   * than `requestTimeoutMs`, the deadline Node enforces while the server listens.
   */
  cutStragglers(now: number, requestTimeoutMs: number): void {
    for (const [socket, started] of this.admitted) {
      if (started === undefined || (requestTimeoutMs > 0 && now - started > requestTimeoutMs)) socket.destroy();
    }
  }

  private admit(socket: Socket, tls: boolean): void {
    const address = socket.remoteAddress ?? '';
    const perAddress = this.isProxy(address) ? 0 : (this.byAddress.get(address) ?? 0);
    if (this.total >= this.limits.maxConnections || perAddress >= this.limits.maxConnectionsPerAddress) {
      this.refuse(socket, tls, address, this.total >= this.limits.maxConnections ? 'total' : 'per address');
      return;
    }
    this.total++;
    this.byAddress.set(address, (this.byAddress.get(address) ?? 0) + 1);
    this.admitted.set(socket, undefined);
    socket.once('close', () => {
      this.total--;
      this.admitted.delete(socket);
      const left = (this.byAddress.get(address) ?? 1) - 1;
      if (left > 0) this.byAddress.set(address, left);
      else this.byAddress.delete(address);
    });
  }

  private refuse(socket: Socket, tls: boolean, address: string, cap: string): void {
    this.refused.add(socket);
    socket.on('error', () => {}); // a client that hangs up first is no fault of ours
    if (tls) socket.destroy();
    else socket.end(BUSY_RESPONSE, () => socket.destroy());
    // One line a second at most: a flood must not turn into a flood of log lines.
    const now = Date.now();
    if (now - this.lastWarning >= 1_000) {
      this.lastWarning = now;
      this.log.warn({ ip: address, cap, open: this.total }, 'connection refused: over the connection cap');
    }
  }
}
