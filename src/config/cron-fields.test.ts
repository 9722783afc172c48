// Cron expressions checked part by part: each wrong part named in English, day and month names
// held to their three letters, and nothing accepted that node-cron (which runs the schedules)
// would refuse or run differently.
import fc from 'fast-check';
import { validate } from 'node-cron';
import { describe, expect, it } from 'vitest';
import { cronTimes } from '../triggers/conditions/cron-times.js';
import { cronProblems } from './cron-fields.js';

describe('cronProblems', () => {
  it.each([
    '0 30 7 * * 1-5',
    '0 30 7 * * MON-FRI',
    '0 30 7 * * mon-fri',
    '*/10 * * * * *',
    '0 0 9 * * *',
    '0 0 1 JAN,JUL *',
    '0 0 L * *',
    '0 0 L-3 * *',
    '0 0 15W * *',
    '0 0 * * 5L',
    '0 0 * * 1#2',
    '0 0 ? * 1',
    '0 22-2 * * *',
    '0 9 * * FRI-MON',
    '0 0 * * 7',
    '0 0-30/10 * * * *',
    '@daily',
    '  0   30 7 * * *  ',
  ])('accepts %s', (expression) => {
    expect(cronProblems(expression)).toEqual([]);
  });

  it.each([
    [
      '0 30 7 * * MON-FRIDAY',
      'day of week "FRIDAY" is not a day name; write FRI (day names are three letters: SUN MON TUE WED THU FRI SAT)',
    ],
    [
      '0 0 1 JANUARY *',
      'month "JANUARY" is not a month name; write JAN (month names are three letters: JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC)',
    ],
    ['0 0 * * XYZ', 'day of week "XYZ" is not a day name; write one of SUN MON TUE WED THU FRI SAT, or 0-7 (0 and 7 are Sunday)'],
    ['61 * * * *', 'minute 61 is out of range 0-59'],
    ['61 * * * * *', 'second 61 is out of range 0-59'],
    ['0 0 24 * * *', 'hour 24 is out of range 0-23'],
    ['0 0 0 * *', 'day of month 0 is out of range 1-31'],
    ['0 0 1 1-13 *', 'month 13 is out of range 1-12'],
    ['0 0 * * 8', 'day of week 8 is out of range 0-7 (0 and 7 are Sunday)'],
    ['0 MON * * *', 'hour "MON" is not a number; write 0-23'],
    ['*/0 * * * *', 'minute step 0 is out of range 1-59'],
    ['*/60 * * * *', 'minute step 60 is out of range 1-59'],
    ['5/15 * * * *', 'minute "5/15": a step follows a range or *, such as 5-59/15 or */15'],
    ['1.5 * * * *', 'minute "1.5" is not a value, a range (1-5), a step (*/15) or a list (1,3,5)'],
    ['1-2-3 * * * *', 'minute "1-2-3" is not a value, a range (1-5), a step (*/15) or a list (1,3,5)'],
    ['? * * * *', 'minute "?" is for day of month or day of week only; write *'],
    ['0 0 * * 1#6', 'day of week "1#6": the week of the month is 1-5'],
    ['0 0 L-31 * *', 'day of month "L-31": L-n takes n in 1-30'],
    ['0 0 31 2 *', 'day of month 31 never comes in month 2'],
    [
      '0 0 15W * SUN',
      'no day is day of month 15W, month * and day of week SUN at once (all three must match), so this schedule never fires',
    ],
    [
      '0 0 L-30 FEB *',
      'no day is day of month L-30, month FEB and day of week * at once (all three must match), so this schedule never fires',
    ],
    [
      '* * * *',
      'a schedule has 5 fields (minute hour day-of-month month day-of-week), or 6 with the second first; this one has 4',
    ],
    ['0\t0 * * *', 'separate the fields of a schedule with spaces, not tabs or line breaks'],
    [
      '@everyday',
      '@everyday is not a cron nickname; use one of @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, or write the fields',
    ],
  ])('refuses %s: %s', (expression, message) => {
    expect(cronProblems(expression)).toEqual([message]);
  });

  it('names every wrong part, in order', () => {
    expect(cronProblems('61 25 * * SUNDAY')).toEqual([
      'minute 61 is out of range 0-59',
      'hour 25 is out of range 0-23',
      'day of week "SUNDAY" is not a day name; write SUN (day names are three letters: SUN MON TUE WED THU FRI SAT)',
    ]);
  });

  it('accepts only what node-cron validates and can find a next time for', () => {
    // Mostly what is valid, so that many expressions pass, with the near misses mixed in.
    const number = fc
      .oneof({ arbitrary: fc.integer({ min: 0, max: 12 }), weight: 8 }, fc.integer({ min: 13, max: 70 }))
      .map(String);
    const name = fc.constantFrom('MON', 'fri', 'JAN', 'dec', 'FRIDAY', 'JANUARY', 'XYZ', 'L', 'W');
    const value = fc.oneof({ arbitrary: number, weight: 4 }, name);
    const special = fc.constantFrom('L', 'LW', '15W', '40W', 'L-3', 'L-40', '5L', '9L', '1#2', '1#7', '?', 'l', '15w');
    const item = fc.oneof(
      { arbitrary: fc.constant('*'), weight: 12 },
      { arbitrary: value, weight: 4 },
      special,
      fc.tuple(value, value).map(([a, b]) => `${a}-${b}`),
      fc.tuple(value, value, number).map(([a, b, s]) => `${a}-${b}/${s}`),
      number.map((s) => `*/${s}`),
      fc.tuple(value, number).map(([a, s]) => `${a}/${s}`),
    );
    const field = fc.array(item, { minLength: 1, maxLength: 2 }).map((items) => items.join(','));
    const expression = fc.array(field, { minLength: 5, maxLength: 6 }).map((fields) => fields.join(' '));
    let accepted = 0;
    fc.assert(
      fc.property(expression, (text) => {
        if (cronProblems(text).length > 0) return;
        accepted++;
        expect(() => validate(text)).not.toThrow();
        expect(Number.isFinite(cronTimes(text, 'UTC')(Date.UTC(2026, 0, 1)))).toBe(true);
      }),
      { numRuns: 3000 },
    );
    // The generator must reach accepted expressions, or the property says nothing.
    expect(accepted).toBeGreaterThan(50);
  });
});
