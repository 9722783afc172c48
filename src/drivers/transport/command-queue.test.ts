// Covers the command queue on a fake clock: one command in flight, priority, replace by
// name, timeouts with retries, reply checks, and what happens offline and on close.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/support/fake-clock.js';
import { CommandQueue } from './command-queue.js';
import { CommandRejected, CommandReplaced, CommandTimeout, LinkClosed, QueueFull } from './transport-errors.js';

function queue(options: ConstructorParameters<typeof CommandQueue>[2] = {}) {
  const clock = new FakeClock();
  const written: string[] = [];
  const q = new CommandQueue(clock, (data) => void written.push(data.toString()), options);
  return { clock, written, q };
}

const frame = (text: string) => Buffer.from(text);

describe('command queue', () => {
  it('sends one command at a time and resolves each with the next frame', async () => {
    const { q, written } = queue();
    q.resume();
    const a = q.send('a');
    const b = q.send('b');
    expect(written).toEqual(['a']);
    expect(q.offer(frame('A'))).toBe(true);
    expect(written).toEqual(['a', 'b']);
    q.offer(frame('B'));
    expect((await a).toString()).toBe('A');
    expect((await b).toString()).toBe('B');
    expect(q.offer(frame('stray'))).toBe(false);
  });

  it('sends higher priority first, in order of arrival among equals', () => {
    const { q, written } = queue();
    const sent = ['low', 'high-1', 'mid', 'high-2'].map((name) =>
      q.send(name, { priority: name.startsWith('high') ? 10 : name === 'mid' ? 5 : 0 }),
    );
    q.resume();
    for (let i = 0; i < 4; i++) q.offer(frame('ok'));
    expect(written).toEqual(['high-1', 'high-2', 'mid', 'low']);
    return Promise.all(sent);
  });

  it('replaces a queued command of the same name, rejecting the older one', async () => {
    const { q, written } = queue();
    const older = q.send('power 1', { name: 'power' });
    const newer = q.send('power 0', { name: 'power' });
    await expect(older).rejects.toThrow(new CommandReplaced('power'));
    await expect(older).rejects.toMatchObject({ code: 'replaced' });
    q.resume();
    q.offer(frame('ok'));
    await newer;
    expect(written).toEqual(['power 0']);
  });

  it('does not replace the command already in flight', async () => {
    const { q, written } = queue();
    q.resume();
    const first = q.send('power 1', { name: 'power' });
    const second = q.send('power 0', { name: 'power' });
    q.offer(frame('ok'));
    q.offer(frame('ok'));
    await Promise.all([first, second]);
    expect(written).toEqual(['power 1', 'power 0']);
  });

  it('sends again after a timeout, then rejects saying how long and how often it tried', async () => {
    const { q, written, clock } = queue();
    q.resume();
    const sent = q.send('ping', { timeoutMs: 100, retries: 1, name: 'ping' });
    const next = q.send('next');
    clock.advance(100);
    expect(written).toEqual(['ping', 'ping']);
    clock.advance(100);
    await expect(sent).rejects.toThrow(new CommandTimeout('command "ping"', 100, 2));
    expect(written).toEqual(['ping', 'ping', 'next']);
    q.offer(frame('ok'));
    await next;
  });

  it('uses the reply check: ignore keeps waiting, false rejects with the frame', async () => {
    const { q } = queue();
    q.resume();
    const sent = q.send('%1POWR 1\r', {
      reply: (f) => (f.toString().startsWith('%1POWR=') ? !f.toString().includes('ERR') : 'ignore'),
    });
    expect(q.offer(frame('%1LAMP=100 1'))).toBe(false);
    expect(q.offer(frame('%1POWR=ERR3'))).toBe(true);
    const error = await sent.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandRejected);
    expect((error as CommandRejected).reply.toString()).toBe('%1POWR=ERR3');
    expect((error as Error).message).toBe('command "%1POWR 1\\r" was refused by the device: "%1POWR=ERR3"');
  });

  it('keeps commands while paused and sends the one in flight again after resume', async () => {
    const { q, written } = queue();
    q.resume();
    const a = q.send('a', { retries: 1 });
    q.send('b').catch(() => undefined);
    q.pause('dropped');
    expect(written).toEqual(['a']);
    q.resume();
    expect(written).toEqual(['a', 'a']);
    q.offer(frame('A'));
    expect((await a).toString()).toBe('A');
    expect(written).toEqual(['a', 'a', 'b']);
  });

  it('rejects the command in flight when the connection drops and it has no tries left', async () => {
    const { q } = queue({ retries: 0 });
    q.resume();
    const a = q.send('a');
    q.pause('the device closed the connection');
    await expect(a).rejects.toThrow(new LinkClosed('command "a" was lost: the device closed the connection'));
  });

  it('refuses more than maxQueued waiting commands', async () => {
    const { q } = queue({ maxQueued: 2 });
    q.send('a').catch(() => undefined);
    q.send('b').catch(() => undefined);
    await expect(q.send('c')).rejects.toThrow(QueueFull);
    expect(q.size).toBe(2);
  });

  it('rejects everything on close, and what is sent after', async () => {
    const { q, clock } = queue();
    q.resume();
    const sent = [q.send('a'), q.send('b')];
    q.close('the module stopped');
    for (const s of sent) await expect(s).rejects.toMatchObject({ code: 'closed' });
    await expect(q.send('c')).rejects.toThrow('the module stopped');
    expect(clock.pendingTimers).toBe(0);
  });
});
