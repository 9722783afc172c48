// One server of the stragglers bench, in a process of its own (forked with IPC): `http`, a
// bare node:http server, or `net`, the same answer written by hand on a plain TCP server.
// Both note when each connection's requests reach their JavaScript, so the bench can tell
// a request that waited in the server from one that waited in the client. Sends { port }
// once listening; answers { arrivals } to { port } (the arrival times, ms since start, of
// the connection from that client port).
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server } from 'node:net';
import { HOST } from './listen.js';

const kind = process.argv[2] as 'http' | 'net';
const started = Date.now();
const arrivals = new Map<number, number[]>();
const ANSWER = '{"fired":true}';

function arrived(port: number | undefined): void {
  if (port === undefined) return;
  const list = arrivals.get(port) ?? [];
  list.push(Date.now() - started); // every one: a few MB for a whole run
  arrivals.set(port, list);
}

let server: Server;
if (kind === 'http') {
  server = createHttpServer((req, res) => {
    arrived(req.socket.remotePort);
    req.on('end', () => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end(ANSWER);
    });
    req.resume();
  });
} else {
  // The client sends one fixed request at a time, so a request is recognised by its body.
  const response = `HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: ${ANSWER.length}\r\n\r\n${ANSWER}`;
  server = createNetServer((socket) => {
    let seen = '';
    socket.on('data', (chunk) => {
      seen += chunk.toString('latin1');
      let end: number;
      while ((end = seen.indexOf('}')) >= 0) {
        seen = seen.slice(end + 1);
        arrived(socket.remotePort);
        socket.write(response);
      }
    });
    socket.on('error', () => {});
  });
}
server.listen(0, HOST, () => process.send!({ port: (server.address() as AddressInfo).port, started }));
process.on('message', (message: { port: number }) => process.send!({ arrivals: arrivals.get(message.port) ?? [] }));
process.once('disconnect', () => process.exit(0));
