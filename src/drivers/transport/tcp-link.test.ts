// Covers a TCP link against a fake device, with every timer on a fake clock: commands and
// replies, unsolicited frames, a handshake, a dropped connection and the reconnect after
// the backoff with the waiting command resumed, the keepalive, and close.
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { fakeDevice, type FakeDevice } from '../testing/fake-device.js';
import type { ConnectionReport, LinkContext } from './link-context.js';
import { tcp, type TcpLink, type TcpOptions } from './tcp-link.js';
import { delimiter } from './tokenizers.js';

const silent = { info() {}, warn() {} };

/** A module context that keeps the link's reports, and lets a test await the next one that matches. */
function context(clock: FakeClock) {
  const reports: ConnectionReport[] = [];
  let waiters: { online: boolean; resolve(report: ConnectionReport): void }[] = [];
  const ctx: LinkContext = {
    address: 'Dev_1',
    clock,
    log: silent,
    // The queue's size (`queued`) is read when an operator looks: test/modules-cli.test.ts shows it.
    setConnection({ queued: _queued, ...report }) {
      reports.push(report);
      const due = waiters.filter((w) => w.online === report.online);
      waiters = waiters.filter((w) => w.online !== report.online);
      for (const w of due) w.resolve(report);
    },
  };
  const next = (online: boolean) => new Promise<ConnectionReport>((resolve) => waiters.push({ online, resolve }));
  return { ctx, reports, next };
}

let device: FakeDevice | undefined;
let link: TcpLink | undefined;
afterEach(async () => {
  await link?.close();
  await device?.close();
  link = device = undefined;
});

async function setup(options: Partial<TcpOptions> = {}, greeting?: string) {
  const clock = new FakeClock();
  device = await fakeDevice({ greeting });
  const c = context(clock);
  const online = c.next(true);
  link = tcp(c.ctx, {
    host: '127.0.0.1',
    port: device.port,
    tokenizer: delimiter('\r'),
    reconnect: { initialMs: 1_000, maxMs: 8_000 },
    ...options,
  });
  return { clock, device, link, ...c, online };
}

describe('tcp link', () => {
  it('comes online, sends a command and resolves with its reply', async () => {
    const { device, link, online, reports } = await setup();
    await online;
    expect(link.online).toBe(true);
    expect(reports).toEqual([{ online: false }, { online: true, error: undefined }]);
    const reply = link.send('%1POWR ?\r');
    await device.expect('%1POWR ?\r');
    device.reply('%1POWR=1\r');
    expect((await reply).toString()).toBe('%1POWR=1');
  });

  it('hands frames that answer no command to onFrame', async () => {
    const frames: string[] = [];
    const { device, link, online } = await setup({ onFrame: (f) => void frames.push(f.toString()) });
    await online;
    device.reply('%2LKUP=00-11\r');
    const reply = link.send('%1INPT ?\r', { reply: (f) => (f.toString().startsWith('%1INPT=') ? true : 'ignore') });
    await device.expect('%1INPT ?\r');
    device.reply('%1INPT=31\r');
    expect((await reply).toString()).toBe('%1INPT=31');
    expect(frames).toEqual(['%2LKUP=00-11']);
  });

  it('reports offline when the device drops, reconnects after the backoff, and sends the waiting command', async () => {
    const { device, link, online, next, clock } = await setup();
    await online;
    const offline = next(false);
    device.drop();
    const report = await offline;
    expect(report.error).toBe('127.0.0.1:' + device.port + ' closed the connection');
    expect(link.online).toBe(false);
    const reply = link.send('%1AVMT 31\r');
    const back = next(true);
    clock.advance(999);
    expect(device.connections).toBe(1);
    clock.advance(1);
    await device.connected(2);
    await back;
    await device.expect('%1AVMT 31\r');
    device.reply('%1AVMT=OK\r');
    expect((await reply).toString()).toBe('%1AVMT=OK');
  });

  it('stays offline with the socket error while nothing listens, and keeps trying after the backoff', async () => {
    const { device, link, online, next, clock } = await setup();
    await online;
    const port = device.port;
    const offline = next(false);
    await device.close();
    await offline;
    // Nothing listens on the port now: the next attempt is refused, and said so.
    const refused = async (): Promise<void> => {
      // Offline reports come until one carries the refusal.
      while (!(await next(false)).error?.includes('ECONNREFUSED'));
    };
    const refusal = refused();
    clock.advance(1_000);
    await refusal;
    expect(link.lastError).toBe(`127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(link.online).toBe(false);
    expect(clock.pendingTimers).toBeGreaterThan(0);
  });

  it('sends the command in flight again on the new connection when the old one dropped under it', async () => {
    const { device, link, online, next, clock } = await setup({ queue: { retries: 1 } });
    await online;
    const reply = link.send('%1POWR 1\r');
    await device.expect('%1POWR 1\r');
    const offline = next(false);
    device.drop();
    await offline;
    const back = next(true);
    clock.advance(1_000);
    await back;
    await device.expect('%1POWR 1\r');
    device.reply('%1POWR=OK\r');
    expect((await reply).toString()).toBe('%1POWR=OK');
  });

  it('runs the handshake before any command, and drops the connection with its error when it throws', async () => {
    const { device, link, next } = await setup(
      {
        handshake: async (session) => {
          const greeting = (await session.next()).toString();
          if (greeting === 'PJLINK ERRA') throw new Error('the password was refused');
          session.write('hello\r');
        },
      },
      'PJLINK ERRA\r',
    );
    const offline = await next(false);
    expect(offline.error).toBe(`127.0.0.1:${device.port}: handshake failed: the password was refused`);
    expect(link.lastError).toBe(offline.error);
  });

  it('drops a connection whose handshake hears nothing within connectTimeoutMs', async () => {
    let reading!: () => void;
    const armed = new Promise<void>((resolve) => (reading = resolve));
    const { next, clock } = await setup({
      connectTimeoutMs: 500,
      handshake: async (session) => {
        const greeting = session.next();
        reading();
        await greeting;
      },
    });
    const offline = next(false);
    // The device stays silent once the handshake waits for its greeting.
    await armed;
    clock.advance(500);
    expect((await offline).error).toContain('handshake failed: the device sent nothing within 500 ms');
  });

  it('sends the keepalive when idle, and reconnects when it goes unanswered', async () => {
    const { device, online, next, clock } = await setup({
      keepAlive: { everyMs: 10_000, data: '%1POWR ?\r' },
      queue: { timeoutMs: 2_000 },
    });
    await online;
    clock.advance(10_000);
    await device.expect('%1POWR ?\r');
    const offline = next(false);
    clock.advance(2_000);
    expect((await offline).error).toContain('no answer to the keepalive');
  });

  it('on close rejects what waits, closes the socket and stays offline', async () => {
    const { device, link, online, clock } = await setup();
    await online;
    const reply = link.send('%1POWR ?\r');
    const rejected = expect(reply).rejects.toMatchObject({ code: 'closed' });
    await device.expect('%1POWR ?\r');
    await link.close();
    await rejected;
    await expect(link.send('x')).rejects.toThrow('was closed (the module stopped)');
    clock.advance(60_000);
    expect(device.connections).toBe(1);
    expect(clock.pendingTimers).toBe(0);
  });
});
