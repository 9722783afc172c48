// Covers the Debouncer's hold and throttle windows at their exact millisecond boundaries, period 0 and independent keys.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/support/fake-clock.js';
import { Debouncer } from './debouncer.js';

function setup() {
  const clock = new FakeClock();
  return { clock, debouncer: new Debouncer(clock) };
}

describe('Debouncer, hold mode', () => {
  it('fires the first request', () => {
    const { debouncer } = setup();
    expect(debouncer.admit('k', 1_000, 'hold')).toBe(true);
  });

  it('debounces at period - 1 ms and fires at exactly the period', () => {
    const { clock, debouncer } = setup();
    expect(debouncer.admit('k', 1_000, 'hold')).toBe(true);
    clock.advance(999);
    expect(debouncer.admit('k', 1_000, 'hold')).toBe(false);
    // the debounced request at 999 extended the window: the next fire needs 1 000 ms of quiet after it
    clock.advance(999);
    expect(debouncer.admit('k', 1_000, 'hold')).toBe(false);
    clock.advance(1_000);
    expect(debouncer.admit('k', 1_000, 'hold')).toBe(true);
  });

  it('fires at exactly the period after a lone fire', () => {
    const { clock, debouncer } = setup();
    expect(debouncer.admit('k', 1_000, 'hold')).toBe(true);
    clock.advance(1_000);
    expect(debouncer.admit('k', 1_000, 'hold')).toBe(true);
    clock.advance(1_000);
    expect(debouncer.admit('k', 1_000, 'hold')).toBe(true);
  });

  it('keeps debouncing a steady stream of requests closer together than the period', () => {
    const { clock, debouncer } = setup();
    expect(debouncer.admit('k', 500, 'hold')).toBe(true);
    for (let i = 0; i < 20; i++) {
      clock.advance(499);
      expect(debouncer.admit('k', 500, 'hold')).toBe(false);
    }
    clock.advance(500);
    expect(debouncer.admit('k', 500, 'hold')).toBe(true);
  });

  it('debounces a second request at the same instant', () => {
    const { debouncer } = setup();
    expect(debouncer.admit('k', 1, 'hold')).toBe(true);
    expect(debouncer.admit('k', 1, 'hold')).toBe(false);
  });
});

describe('Debouncer, throttle mode', () => {
  it('debounces at period - 1 ms and fires at exactly the period', () => {
    const { clock, debouncer } = setup();
    expect(debouncer.admit('k', 1_000, 'throttle')).toBe(true);
    clock.advance(999);
    expect(debouncer.admit('k', 1_000, 'throttle')).toBe(false);
    clock.advance(1);
    expect(debouncer.admit('k', 1_000, 'throttle')).toBe(true);
  });

  it('does not let debounced requests extend the period', () => {
    const { clock, debouncer } = setup();
    expect(debouncer.admit('k', 1_000, 'throttle')).toBe(true); // t = 0
    clock.advance(500);
    expect(debouncer.admit('k', 1_000, 'throttle')).toBe(false); // t = 500
    clock.advance(499);
    expect(debouncer.admit('k', 1_000, 'throttle')).toBe(false); // t = 999
    clock.advance(1);
    expect(debouncer.admit('k', 1_000, 'throttle')).toBe(true); // t = 1 000: a whole period after the last fire
    clock.advance(999);
    expect(debouncer.admit('k', 1_000, 'throttle')).toBe(false); // t = 1 999
    clock.advance(1);
    expect(debouncer.admit('k', 1_000, 'throttle')).toBe(true); // t = 2 000
  });

  it('fires at most once per period under a steady stream', () => {
    const { clock, debouncer } = setup();
    const fired: number[] = [];
    for (let t = 0; t <= 3_000; t += 100) {
      if (debouncer.admit('k', 1_000, 'throttle')) fired.push(t);
      clock.advance(100);
    }
    expect(fired).toEqual([0, 1_000, 2_000, 3_000]);
  });
});

describe('Debouncer, period 0', () => {
  it.each(['hold', 'throttle'] as const)('always fires in %s mode', (mode) => {
    const { clock, debouncer } = setup();
    for (let i = 0; i < 5; i++) expect(debouncer.admit('k', 0, mode)).toBe(true);
    clock.advance(1);
    expect(debouncer.admit('k', 0, mode)).toBe(true);
  });

  it('does not arm a window for a later request with a period', () => {
    const { debouncer } = setup();
    expect(debouncer.admit('k', 0, 'hold')).toBe(true);
    expect(debouncer.admit('k', 1_000, 'hold')).toBe(true);
    expect(debouncer.admit('k', 1_000, 'hold')).toBe(false);
  });
});

describe('Debouncer keys', () => {
  it.each(['hold', 'throttle'] as const)('keeps each key’s window independent in %s mode', (mode) => {
    const { clock, debouncer } = setup();
    expect(debouncer.admit('a', 1_000, mode)).toBe(true); // a at 0
    clock.advance(600);
    expect(debouncer.admit('b', 1_000, mode)).toBe(true); // b at 600: a's window does not cover it
    expect(debouncer.admit('a', 1_000, mode)).toBe(false); // a at 600
    clock.advance(400);
    expect(debouncer.admit('b', 1_000, mode)).toBe(false); // b at 1 000: 400 after its fire
    // a at 1 000: throttle measures from its fire at 0; hold from its request at 600
    expect(debouncer.admit('a', 1_000, mode)).toBe(mode === 'throttle');
    clock.advance(600);
    expect(debouncer.admit('b', 1_000, mode)).toBe(mode === 'throttle'); // b at 1 600: hold saw b at 1 000
  });

  it('keeps separate Debouncers apart', () => {
    const clock = new FakeClock();
    const one = new Debouncer(clock);
    const two = new Debouncer(clock);
    expect(one.admit('k', 1_000, 'hold')).toBe(true);
    expect(two.admit('k', 1_000, 'hold')).toBe(true);
  });
});
