// Covers the fake device and the session recorder: scripted expectations that pass or say
// what was received instead, greetings, replies, drops, and a recorded session through the proxy.
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeDevice, type FakeDevice } from './fake-device.js';
import { recordSession, type SessionRecorder } from './session-recorder.js';

let device: FakeDevice | undefined;
let recorder: SessionRecorder | undefined;
const clients: Socket[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await recorder?.close();
  await device?.close();
  device = recorder = undefined;
});

/** A client socket that keeps what it receives. */
async function client(port: number) {
  const socket = connect(port, '127.0.0.1');
  clients.push(socket);
  let received = '';
  const waiting: { text: string; resolve(): void }[] = [];
  socket.on('data', (d: Buffer) => {
    received += d.toString('latin1');
    for (const w of waiting.filter((w) => received.includes(w.text))) w.resolve();
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return {
    socket,
    receives: (text: string) =>
      received.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ text, resolve })),
    closed: () => new Promise<void>((resolve) => (socket.closed ? resolve() : socket.once('close', () => resolve()))),
  };
}

describe('fake device', () => {
  it('greets, resolves an expect on exactly the bytes sent (even split), and replies', async () => {
    device = await fakeDevice({ greeting: 'PJLINK 0\r' });
    const c = await client(device.port);
    await c.receives('PJLINK 0\r');
    c.socket.write('%1PO');
    c.socket.write('WR 1\r');
    await device.expect('%1POWR 1\r');
    device.reply('%1POWR=OK\r');
    await c.receives('%1POWR=OK\r');
    expect(device.connections).toBe(1);
  });

  it('rejects an expect with what was received instead', async () => {
    device = await fakeDevice();
    const c = await client(device.port);
    await device.connected(1);
    c.socket.write('%1POWR 0\r');
    await expect(device.expect('%1POWR 1\r')).rejects.toThrow('fakeDevice: expected "%1POWR 1\\r", received "%1POWR 0\\r"');
  });

  it('rejects an expect when the connection closes first, and at once once it is closed', async () => {
    device = await fakeDevice();
    const c = await client(device.port);
    await device.connected(1);
    c.socket.write('%1PO');
    const closing = expect(device.expect('%1POWR ?\r')).rejects.toThrow('received "%1PO" before the connection closed');
    c.socket.end();
    await closing;
    await expect(device.expect('x')).rejects.toThrow('fakeDevice: expected "x", received "%1PO" before the connection closed');
  });

  it('drops the connection, and counts the next one', async () => {
    device = await fakeDevice();
    const first = await client(device.port);
    await device.connected(1);
    device.drop();
    await first.closed();
    const second = await client(device.port);
    await device.connected(2);
    second.socket.write('again\r');
    await device.expect('again\r');
    expect(device.connections).toBe(2);
  });
});

describe('session recorder', () => {
  it('passes a session through to the device and records both directions in order', async () => {
    device = await fakeDevice({ greeting: 'PJLINK 0\r' });
    recorder = await recordSession({ host: '127.0.0.1', port: device.port });
    const c = await client(recorder.port);
    await c.receives('PJLINK 0\r');
    c.socket.write('%1POWR ?\r');
    await device.expect('%1POWR ?\r');
    device.reply('%1POWR=0\r');
    await c.receives('%1POWR=0\r');
    const decoded = recorder.chunks.map((chunk) => ({ from: chunk.from, text: Buffer.from(chunk.data, 'base64').toString() }));
    expect(decoded).toEqual([
      { from: 'device', text: 'PJLINK 0\r' },
      { from: 'client', text: '%1POWR ?\r' },
      { from: 'device', text: '%1POWR=0\r' },
    ]);
    expect(JSON.parse(recorder.fixture())).toEqual(recorder.chunks);
  });
});
