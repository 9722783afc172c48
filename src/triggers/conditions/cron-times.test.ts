// The next fire times node-cron's matcher gives, as the scheduler asks for them: the first
// match strictly after a time, never one skipped.
import { describe, expect, it } from 'vitest';
import { cronTimes } from './cron-times.js';

const at = (iso: string) => Date.parse(iso);

describe('cronTimes', () => {
  it('every second: each next time is the following second, from a whole second or from within one', () => {
    const next = cronTimes('*/1 * * * * *', undefined);
    let t = at('2026-11-27T10:00:00.000Z');
    for (let i = 0; i < 120; i++) {
      const following = next(t);
      expect(following - t).toBe(1_000);
      t = following;
    }
    expect(next(at('2026-11-27T10:00:05.500Z'))).toBe(at('2026-11-27T10:00:06.000Z'));
    expect(next(at('2026-11-27T10:00:05.999Z'))).toBe(at('2026-11-27T10:00:06.000Z'));
  });

  it('every minute: from the second before the minute, the minute itself; from the minute, the next one', () => {
    const next = cronTimes('0 * * * * *', undefined);
    expect(next(at('2026-11-27T10:00:59.000Z'))).toBe(at('2026-11-27T10:01:00.000Z'));
    expect(next(at('2026-11-27T10:00:59.750Z'))).toBe(at('2026-11-27T10:01:00.000Z'));
    expect(next(at('2026-11-27T10:01:00.000Z'))).toBe(at('2026-11-27T10:02:00.000Z'));
    expect(next(at('2026-11-27T10:01:00.001Z'))).toBe(at('2026-11-27T10:02:00.000Z'));
  });

  it('every 5 seconds and a fixed daily time in a time zone', () => {
    const five = cronTimes('*/5 * * * * *', undefined);
    expect(five(at('2026-11-27T10:00:00.000Z'))).toBe(at('2026-11-27T10:00:05.000Z'));
    expect(five(at('2026-11-27T10:00:04.999Z'))).toBe(at('2026-11-27T10:00:05.000Z'));
    const nine = cronTimes('0 0 9 * * *', 'Australia/Sydney');
    // 09:00 in Sydney (UTC+11 in November) is 22:00 UTC the day before.
    expect(nine(at('2026-11-26T21:59:59.000Z'))).toBe(at('2026-11-26T22:00:00.000Z'));
    expect(nine(at('2026-11-26T22:00:00.000Z'))).toBe(at('2026-11-27T22:00:00.000Z'));
  });
});
