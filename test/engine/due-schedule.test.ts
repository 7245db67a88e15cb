import { describe, expect, it } from 'vitest';
import { DueSchedule } from '../../src/engine/due-schedule.js';

describe('DueSchedule', () => {
  it('takes due times earliest first, each with its destinations in insertion order', () => {
    const due = new DueSchedule();
    due.add(180, 'b');
    due.add(60, 'a');
    due.add(180, 'a');
    due.add(120, 'c');
    expect(due.next).toBe(60);
    expect(due.takeDue(59)).toBeUndefined();
    const taken = [];
    for (let d = due.takeDue(180); d !== undefined; d = due.takeDue(180)) taken.push([d.at, [...d.destinations!]]);
    expect(taken).toEqual([[60, ['a']], [120, ['c']], [180, ['b', 'a']]]);
    expect(due.next).toBe(Infinity);
  });

  it('holds as many distinct due times as a held incident can schedule (one a window up to baseline.idle_ttl ahead)', () => {
    // 10s windows and an idle_ttl of 30 days: 259,200 boundaries, more than a spread call takes
    // as arguments (Math.min(...keys) threw "Maximum call stack size exceeded" here).
    const size = 10_000;
    const boundaries = (30 * 86_400_000) / size;
    const due = new DueSchedule();
    for (let i = boundaries; i >= 1; i--) due.add(i * size, i % 2 === 0 ? 'even' : 'odd');
    expect(due.next).toBe(size);
    expect(due.takeDue(size)).toEqual({ at: size, destinations: new Set(['odd']) });
    expect(due.next).toBe(2 * size);
    expect(due.takeDue(2 * size)).toEqual({ at: 2 * size, destinations: new Set(['even']) });
    expect(due.next).toBe(3 * size);
  });
});
