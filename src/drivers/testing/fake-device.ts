// A fake TCP device for driver tests: it listens on 127.0.0.1, and a test scripts the
// conversation from the device's side: `expect` what the driver must send, `reply` what
// the device answers, `drop` the connection to see the driver reconnect. It talks to the
// newest connection; what an older one sent is forgotten.
import { createServer, type Server, type Socket } from 'node:net';

export interface FakeDeviceOptions {
  /** Sent on every new connection, as devices that greet first do (PJLink's `PJLINK 0\r`). */
  greeting?: string | Buffer;
}

export interface ExpectOptions {
  /** How long to wait for the bytes, in real ms (2 000): this waits on a socket, not on a clock. */
  timeoutMs?: number;
}

export interface FakeDevice {
  readonly port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Resolves once the driver has sent exactly `bytes` next; rejects saying what it sent instead. */
  expect(bytes: string | Buffer, options?: ExpectOptions): Promise<void>;
  /** Resolves with the next connection (the count passes `connections`). */
  connected(count?: number): Promise<void>;
  /** Sends bytes to the driver on the newest connection. */
  reply(data: string | Buffer): void;
  /** Closes the newest connection from the device's side. */
  drop(): void;
  close(): Promise<void>;
}

interface Waiter {
  bytes: Buffer;
  resolve(): void;
  reject(error: Error): void;
}

export async function fakeDevice(options: FakeDeviceOptions = {}): Promise<FakeDevice> {
  let current: Socket | undefined;
  let received = Buffer.alloc(0);
  let waiter: Waiter | undefined;
  let connections = 0;
  let onConnection: { count: number; resolve(): void }[] = [];
  const sockets = new Set<Socket>();

  const settle = (closed: boolean) => {
    if (!waiter) return;
    const want = waiter.bytes;
    const got = received.subarray(0, want.length);
    if (got.length === want.length || closed) {
      const w = waiter;
      waiter = undefined;
      if (got.equals(want)) {
        received = received.subarray(want.length);
        w.resolve();
      } else w.reject(mismatch(want, received, closed));
    } else if (!want.subarray(0, got.length).equals(got)) {
      const w = waiter;
      waiter = undefined;
      w.reject(mismatch(want, received, false));
    }
  };

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    current = socket;
    received = Buffer.alloc(0);
    connections++;
    socket.on('data', (chunk: Buffer) => {
      if (socket !== current) return;
      received = Buffer.concat([received, chunk]);
      settle(false);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      if (socket === current) settle(true);
    });
    if (options.greeting !== undefined) socket.write(options.greeting);
    const due = onConnection.filter((o) => connections >= o.count);
    onConnection = onConnection.filter((o) => !due.includes(o));
    for (const w of due) w.resolve();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;

  return {
    port,
    get connections() {
      return connections;
    },
    expect(bytes, expectOptions = {}) {
      if (waiter) return Promise.reject(new Error('fakeDevice: expect one thing at a time (await the last expect first)'));
      const want = Buffer.from(bytes);
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiter = undefined;
          reject(
            new Error(
              `fakeDevice: expected ${show(want)} within ${expectOptions.timeoutMs ?? 2_000} ms, received ${show(received)}`,
            ),
          );
        }, expectOptions.timeoutMs ?? 2_000);
        const done =
          <T>(fn: (value: T) => void) =>
          (value: T) => {
            clearTimeout(timer);
            fn(value);
          };
        waiter = { bytes: want, resolve: done(resolve), reject: done(reject) };
        // Before the first connection, wait for it; on a closed one nothing more can come.
        settle(current?.closed ?? false);
      });
    },
    connected(count = connections + 1) {
      if (connections >= count) return Promise.resolve();
      return new Promise((resolve) => onConnection.push({ count, resolve }));
    },
    reply(data) {
      if (!current || current.closed) throw new Error('fakeDevice: no connection to reply on');
      current.write(data);
    },
    drop() {
      current?.destroy();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function mismatch(want: Buffer, got: Buffer, closed: boolean): Error {
  return new Error(`fakeDevice: expected ${show(want)}, received ${show(got)}${closed ? ' before the connection closed' : ''}`);
}

/** Bytes as text with control characters escaped ("%1POWR 1\r"). */
function show(data: Buffer): string {
  return JSON.stringify(data.toString('latin1'));
}
