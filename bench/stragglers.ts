// Stragglers: at hundreds of keep-alive connections, does the server leave some requests
// waiting seconds while it answers thousands of others, and where do they wait? A client
// of raw sockets (one request at a time per connection, no library) loads, in turn, a bare
// node:http server and the same answer written on a plain TCP server (node:net), each in a
// process of its own. For the slowest requests it asks the server when that request reached
// its JavaScript: a request sent at t and seen by the server seconds later waited in the
// server, not in the client. See bench/README.md ("Stragglers").
//
//   npm run build && node dist/bench/stragglers.js            500 connections, 8 s per server
//   BENCH_CONNECTIONS=1000 BENCH_SECONDS=10 node dist/bench/stragglers.js --json
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fmt, n0 } from './support/format.js';
import { forkServer } from './support/forked-server.js';
import { HOST } from './support/listen.js';
import { cleanupOnInterrupt, runBench } from './support/lifecycle.js';
import { log } from './support/log.js';
import { describeMachine, machineHeader } from './support/machine.js';
import { integerSetting, JSON_OUTPUT, positiveSetting } from './support/settings.js';

const CONNECTIONS = integerSetting('BENCH_CONNECTIONS', 500, 1);
const SECONDS = positiveSetting('BENCH_SECONDS', 8, 'expected a positive number of seconds');
const BODY = '{"a":1}';
const REQUEST = `POST /webhook/trig-bench/notify HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/json\r\nContent-Length: ${BODY.length}\r\n\r\n${BODY}`;

interface Connection {
  port: number;
  done: number;
  sentAt: number;
  worstMs: number;
  worstSentAt: number;
}

interface Straggler {
  waitedMs: number;
  /** When the server's JavaScript saw the request, ms after it was sent (null: not seen). */
  serverSawAfterMs: number | null;
}

interface KindResult {
  server: 'http' | 'net';
  requests: number;
  reqPerSec: number;
  slowestMs: number;
  over1s: number;
  stragglers: Straggler[];
}

cleanupOnInterrupt();

/** One request at a time on each connection, for `seconds`; every connection's worst wait. */
async function load(port: number): Promise<Connection[]> {
  const connections: Connection[] = [];
  let stopped = false;
  const stop = setTimeout(() => (stopped = true), SECONDS * 1000);
  await Promise.all(
    Array.from(
      { length: CONNECTIONS },
      () =>
        new Promise<void>((resolve) => {
          const c: Connection = { port: 0, done: 0, sentAt: 0, worstMs: 0, worstSentAt: 0 };
          connections.push(c);
          const socket = connect(port, HOST);
          const send = () => {
            if (stopped) return socket.destroy();
            c.sentAt = Date.now();
            socket.write(REQUEST);
          };
          let pending = '';
          socket.on('connect', () => {
            c.port = socket.localPort!;
            send();
          });
          socket.on('data', (chunk) => {
            pending += chunk.toString('latin1');
            // Each answer ends with the 14-byte JSON body; count them as they complete.
            let end: number;
            while ((end = pending.indexOf('{"fired":true}')) >= 0) {
              pending = pending.slice(end + 14);
              const waited = Date.now() - c.sentAt;
              if (waited > c.worstMs) [c.worstMs, c.worstSentAt] = [waited, c.sentAt];
              c.done++;
              send();
            }
          });
          socket.on('error', () => resolve());
          socket.on('close', () => resolve());
        }),
    ),
  );
  clearTimeout(stop);
  return connections;
}

async function start(kind: 'http' | 'net'): Promise<{ child: ChildProcess; port: number; started: number }> {
  const { child, hello } = await forkServer<{ port: number; started: number }>(
    new URL('./support/straggler-server.js', import.meta.url),
    [kind],
  );
  return { child, ...hello };
}

function arrivalsOf(child: ChildProcess, port: number): Promise<number[]> {
  return new Promise((resolve) => {
    child.once('message', (m: { arrivals: number[] }) => resolve(m.arrivals));
    child.send({ port });
  });
}

async function measure(kind: 'http' | 'net'): Promise<KindResult> {
  const server = await start(kind);
  log(`${kind}: ${CONNECTIONS} connections for ${SECONDS} s`);
  const began = Date.now();
  const connections = await load(server.port);
  const elapsed = (Date.now() - began) / 1000;
  const slowest = [...connections].sort((a, b) => b.worstMs - a.worstMs).slice(0, 5);
  const stragglers: Straggler[] = [];
  for (const c of slowest) {
    const sent = c.worstSentAt - server.started;
    const seen = (await arrivalsOf(server.child, c.port)).find((at) => at >= sent - 1);
    stragglers.push({ waitedMs: c.worstMs, serverSawAfterMs: seen === undefined ? null : seen - sent });
  }
  server.child.kill();
  const requests = connections.reduce((sum, c) => sum + c.done, 0);
  return {
    server: kind,
    requests,
    reqPerSec: requests / elapsed,
    slowestMs: slowest[0]?.worstMs ?? 0,
    over1s: connections.filter((c) => c.worstMs >= 1000).length,
    stragglers,
  };
}

async function main(): Promise<void> {
  const machine = describeMachine();
  const results = [await measure('http'), await measure('net')];
  const lines = [
    machineHeader(machine),
    `${CONNECTIONS} keep-alive connections, one request at a time each, ${SECONDS} s per server`,
    '',
  ];
  for (const r of results) {
    lines.push(
      `${r.server === 'http' ? 'node:http' : 'node:net '}  ${n0(r.reqPerSec)} req/s, slowest request ${n0(r.slowestMs)} ms, ` +
        `${n0(r.over1s)} connections with a request that waited >= 1 s`,
    );
    for (const s of r.stragglers)
      lines.push(
        `    waited ${n0(s.waitedMs)} ms; the server's JavaScript saw it ` +
          (s.serverSawAfterMs === null ? 'never' : `${n0(s.serverSawAfterMs)} ms after it was sent`),
      );
  }
  const http = results[0]!;
  const net = results[1]!;
  lines.push(
    '',
    `slowest request: node:http ${n0(http.slowestMs)} ms, node:net ${n0(net.slowestMs)} ms (${fmt(http.slowestMs / Math.max(1, net.slowestMs), 0)} x)`,
  );
  console.log(lines.join('\n'));
  if (JSON_OUTPUT) console.log(JSON.stringify({ machine, connections: CONNECTIONS, seconds: SECONDS, results }, null, 2));
}

await runBench(main);
