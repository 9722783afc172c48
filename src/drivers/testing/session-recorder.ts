// Records a real session with a device into a fixture: a pass-through TCP proxy that a
// driver connects to instead of the device, keeping every chunk each side sent, in order.
// Point a driver at `port`, use the device, then save `fixture()` beside the driver's test.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface RecordedChunk {
  from: 'client' | 'device';
  /** The bytes, base64: a device's protocol need not be text. */
  data: string;
}

export interface SessionRecorder {
  /** Where the driver connects instead of the device. */
  readonly port: number;
  /** Everything recorded so far, over every connection. */
  readonly chunks: readonly RecordedChunk[];
  /** The recording as JSON text, one chunk per line. */
  fixture(): string;
  close(): Promise<void>;
}

export async function recordSession(device: { host: string; port: number }): Promise<SessionRecorder> {
  const chunks: RecordedChunk[] = [];
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = connect(device.port, device.host);
    track(client);
    track(upstream);
    // Recorded in arrival order: what each side sent before the other answered.
    client.on('data', (data: Buffer) => {
      chunks.push({ from: 'client', data: data.toString('base64') });
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      chunks.push({ from: 'device', data: data.toString('base64') });
      client.write(data);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as { port: number }).port,
    chunks,
    fixture: () => `[\n${chunks.map((c) => `  ${JSON.stringify(c)}`).join(',\n')}\n]\n`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
