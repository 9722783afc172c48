import { describe, expect, it } from 'vitest';
import { idAt, TimeOrderedIds } from './ids.js';

describe('TimeOrderedIds', () => {
  it('makes 20-character ids after the prefix that sort in the order they were made', () => {
    let now = Date.UTC(2026, 10, 27);
    const ids = new TimeOrderedIds(() => now, 'abcd1234');
    const made = [ids.next('run'), ids.next('run')];
    now += 1;
    made.push(ids.next('run'));
    for (const id of made) expect(id).toMatch(/^run_[0-9a-z]{20}$/);
    expect(new Set(made).size).toBe(3);
    expect([...made].sort()).toEqual(made);
  });

  it('keeps the order when the clock steps back', () => {
    let now = 1_000_000;
    const ids = new TimeOrderedIds(() => now, 'abcd1234');
    const first = ids.next('req');
    now -= 500;
    const second = ids.next('req');
    expect(second > first).toBe(true);
  });

  it('borrows the next millisecond when one millisecond runs out of sequence numbers', () => {
    const ids = new TimeOrderedIds(() => 5_000, 'abcd1234');
    const made = Array.from({ length: 36 ** 3 + 5 }, () => ids.next('evt'));
    expect(new Set(made).size).toBe(made.length);
    expect(made.every((id, i) => i === 0 || id > made[i - 1]!)).toBe(true);
    expect(made.at(-1)!.slice(4, 13)).toBe((5_001).toString(36).padStart(9, '0'));
  });

  it('tells two processes apart in the same millisecond by their tags', () => {
    const a = new TimeOrderedIds(() => 7_000);
    const b = new TimeOrderedIds(() => 7_000);
    expect(a.next('run')).not.toBe(b.next('run'));
  });

  it('idAt sorts before every id made at that millisecond or later, and after every id made before it', () => {
    const at = Date.UTC(2026, 10, 27, 9, 30);
    const before = new TimeOrderedIds(() => at - 1).next('run');
    const same = new TimeOrderedIds(() => at).next('run');
    const later = new TimeOrderedIds(() => at + 60_000).next('run');
    const floor = idAt('run', at);
    expect(before < floor).toBe(true);
    expect(floor <= same && floor < later).toBe(true);
  });
});
