// How often the kernel's accept queue overflowed (TcpExt ListenOverflows, Linux): when many
// connections open at once and the server accepts them slower than they come, the queue
// (the listen backlog, 511 by default in Node) fills and the kernel drops the handshakes
// that do not fit; those clients wait for retransmits, seconds each. A round with many
// connections reports the count, so slow or timed-out requests can be told apart from a
// slow server.
import { readFileSync } from 'node:fs';

/** The machine-wide count since boot, undefined when it cannot be read (not Linux). */
export function listenOverflows(): number | undefined {
  try {
    // Pairs of lines: "TcpExt: name name …" then "TcpExt: value value …".
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const names = lines[i]!.split(/\s+/);
      const values = lines[i + 1]!.split(/\s+/);
      const at = names.indexOf('ListenOverflows');
      if (names[0] === 'TcpExt:' && at > 0) return Number(values[at]);
    }
  } catch {
    // not Linux
  }
  return undefined;
}
