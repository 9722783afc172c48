// Durations in config carry a unit; anything without one is refused with a message that shows how to write it.
import { describe, expect, it } from 'vitest';
import { durationSchema, parseDuration } from './duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['5s', 5_000],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['0s', 0],
  ])('reads %s as %i milliseconds', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('accepts fractions and rounds to whole milliseconds', () => {
    expect(parseDuration('1.5s')).toBe(1_500);
    expect(parseDuration('0.25m')).toBe(15_000);
    expect(parseDuration('2.4ms')).toBe(2);
  });

  it('allows spaces around the text and between the number and its unit', () => {
    expect(parseDuration(' 5 s ')).toBe(5_000);
    expect(parseDuration('30  ms')).toBe(30);
  });

  it.each(['5', '5 seconds', '5sec', 'ms', '-5s', '5S', '1w', '1e3ms', '', 's5', '5s5', '1.s'])('refuses %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('refuses a duration too large to be a finite number', () => {
    expect(parseDuration(`${'9'.repeat(400)}d`)).toBeUndefined();
  });
});

describe('durationSchema', () => {
  it('yields milliseconds for text with a unit', () => {
    expect(durationSchema.parse('30s')).toBe(30_000);
  });

  it('accepts a bare 0 as no duration', () => {
    expect(durationSchema.parse(0)).toBe(0);
  });

  it('explains how to write a duration when the unit is wrong', () => {
    const result = durationSchema.safeParse('5 seconds');
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.message)).toEqual([
      '"5 seconds" is not a duration; write a number with a unit: 500ms, 5s, 2m, 1h or 1d',
    ]);
  });

  it('refuses a bare number other than 0, so nobody guesses the unit', () => {
    expect(durationSchema.safeParse(5).success).toBe(false);
    expect(durationSchema.safeParse(5000).success).toBe(false);
  });

  it('says how to write a bare number with a unit, as seconds or milliseconds', () => {
    const messages = (value: unknown) => durationSchema.safeParse(value).error?.issues.map((i) => i.message);
    expect(messages(30)).toEqual(['write 30s or 30000ms: durations carry a unit']);
    expect(messages(1.5)).toEqual(['write 1.5s or 1500ms: durations carry a unit']);
    expect(messages('30')).toEqual(['write 30s or 30000ms: durations carry a unit']);
    expect(messages(-5)).toEqual(['-5 is not a duration; write a number with a unit: 500ms, 5s, 2m, 1h or 1d']);
  });

  it.each([null, true, [], {}])('refuses %j', (value) => {
    expect(durationSchema.safeParse(value).success).toBe(false);
  });
});
