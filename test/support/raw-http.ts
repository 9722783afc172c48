// Raw HTTP over a socket, for what fetch cannot send: headers and bodies trickled a byte at
// a time, oversized header blocks, connections that say nothing, a chosen source address.
import { connect, type Socket } from 'node:net';

export interface RawTarget {
  host: string;
  port: number;
}

export function targetOf(url: string): RawTarget {
  const { hostname, port } = new URL(url);
  return { host: hostname, port: Number(port) };
}

/** Opens a connection (from `localAddress`, such as 127.0.0.2, when given). */
export function open(target: RawTarget, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ ...target, localAddress }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection (or `timeoutMs` passes). */
export function readUntilClosed(socket: Socket, timeoutMs = 10_000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    let text = '';
    const timer = setTimeout(() => resolve({ text, closed: false }), timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', () => {});
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
  });
}

/** Sends one request as written and returns the raw answer (the connection is closed after it). */
export async function rawRequest(target: RawTarget, request: string | Buffer, localAddress?: string): Promise<string> {
  const socket = await open(target, localAddress);
  const answer = readUntilClosed(socket);
  socket.write(request);
  return (await answer).text;
}

/** The status code of a raw HTTP answer. */
export function statusOf(answer: string): number | undefined {
  const match = /^HTTP\/1\.1 (\d{3})/.exec(answer);
  return match ? Number(match[1]) : undefined;
}

/** Writes `text` one byte every `everyMs` until done or the socket closes; resolves with how many bytes went. */
export function trickle(socket: Socket, text: string, everyMs: number): Promise<number> {
  return new Promise((resolve) => {
    let sent = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || socket.writableEnded || sent >= text.length) {
        clearInterval(timer);
        resolve(sent);
        return;
      }
      socket.write(text[sent++]!);
    }, everyMs);
    socket.once('close', () => {
      clearInterval(timer);
      resolve(sent);
    });
  });
}
