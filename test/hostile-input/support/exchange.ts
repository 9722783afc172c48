// One raw request and what came of it: the status the server answered (if any) and
// whether it closed the connection within a generous bound. The socket is always destroyed.
import { open, readUntilClosed, statusOf, type RawTarget } from '../../support/raw-http.js';

export interface Exchange {
  status: number | undefined;
  text: string;
  /** Whether the server closed the connection before `closeWithinMs`. */
  closed: boolean;
}

export async function exchange(
  target: RawTarget,
  request: string | Buffer,
  options: { localAddress?: string; closeWithinMs?: number } = {},
): Promise<Exchange> {
  const socket = await open(target, options.localAddress);
  try {
    const answer = readUntilClosed(socket, options.closeWithinMs ?? 5_000);
    socket.write(request);
    const { text, closed } = await answer;
    return { status: statusOf(text), text, closed };
  } finally {
    socket.destroy();
  }
}
