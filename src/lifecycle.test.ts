// The lifecycle list: parts start in order and stop in reverse, a failed start stops what
// started (the failed part too), each part reports its state and health.
import { describe, expect, it } from 'vitest';
import { Lifecycle, type Part } from './lifecycle.js';
import { createLogger } from './logger.js';

const silent = createLogger({ level: 'silent' });

function recording(events: string[], name: string, extra: Partial<Part<string>> = {}): Part<string> {
  return {
    name,
    start: () => {
      events.push(`start ${name}`);
      return name.toUpperCase();
    },
    stop: () => void events.push(`stop ${name}`),
    ...extra,
  };
}

describe('Lifecycle', () => {
  it('starts parts in order, gives back what they start, and stops them in reverse, once', async () => {
    const events: string[] = [];
    const life = new Lifecycle(silent);
    expect(await life.start(recording(events, 'a'))).toBe('A');
    expect(await life.start(recording(events, 'b'))).toBe('B');
    await Promise.all([life.stop(), life.stop()]);
    expect(events).toEqual(['start a', 'start b', 'stop b', 'stop a']);
  });

  it('stops what started, the failed part included, when a start fails, and reports why', async () => {
    const events: string[] = [];
    const life = new Lifecycle(silent);
    await life.start(recording(events, 'a'));
    const failing = recording(events, 'b', {
      start: () => {
        throw new Error('port 8080 is taken');
      },
    });
    await expect(life.start(failing)).rejects.toThrow('port 8080 is taken');
    expect(life.report().b).toEqual({ state: 'failed', ok: false, detail: 'failed: port 8080 is taken' });
    await life.stop();
    expect(events).toEqual(['start a', 'stop b', 'stop a']);
    expect(life.report()).toMatchObject({ a: { state: 'stopped', ok: false }, b: { state: 'stopped', ok: false } });
  });

  it('reports a started part by its health, and a health check that throws as not ok', async () => {
    const life = new Lifecycle(silent);
    await life.start({ name: 'plain', start: () => {} });
    await life.start({ name: 'store', start: () => {}, health: () => ({ ok: false, detail: 'disk full since 10:02' }) });
    await life.start({
      name: 'odd',
      start: () => {},
      health: () => {
        throw new Error('boom');
      },
    });
    expect(life.report()).toEqual({
      plain: { state: 'started', ok: true, detail: 'started' },
      store: { state: 'started', ok: false, detail: 'disk full since 10:02' },
      odd: { state: 'started', ok: false, detail: 'the check failed: boom' },
    });
  });

  it('goes on stopping the others when one fails to stop', async () => {
    const events: string[] = [];
    const life = new Lifecycle(silent);
    await life.start(recording(events, 'a'));
    await life.start(
      recording(events, 'b', {
        stop: () => {
          throw new Error('stuck');
        },
      }),
    );
    await life.stop();
    expect(events).toEqual(['start a', 'start b', 'stop a']);
    expect(life.report().b!.state).toBe('stopped');
  });
});
