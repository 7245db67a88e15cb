import { describe, expect, it } from 'vitest';
import { ReadAlignment } from '../../src/kafka/read-alignment.js';

const MIN = 60_000;
const whole = (latestMs: number, lag: number) => ({ latestMs, cutAtMs: undefined, lag });
const cut = (latestMs: number, cutAtMs: number, lag: number) => ({ latestMs, cutAtMs, lag });

describe('ReadAlignment', () => {
  it('leapfrogs two partitions of one fetch, neither more than the skew ahead of the other', () => {
    const a = new ReadAlignment(15 * MIN);
    // One fetch: partition 0 (sparse, a flow every 10 min) and 1 (dense, one a minute), both from 0.
    a.arrived(0, 0);
    a.arrived(1, 0);
    expect(a.limitFor(0)).toBe(15 * MIN);
    expect(a.limitFor(1)).toBe(15 * MIN);
    // Partition 0 forwards 0 and 10 and is cut at 20, above 15: it waits.
    expect(a.forwarded(0, cut(10 * MIN, 20 * MIN, 50))).toEqual([]);
    expect(a.pausedPartitions).toEqual([0]);
    // Partition 1 forwards up to 15 and is cut at 16. Now 0 (next record at 20) is within
    // 16 + 15 of partition 1, and 1 (at 16) within 20 + 15 of partition 0: both read on.
    expect(a.forwarded(1, cut(15 * MIN, 16 * MIN, 1000))).toEqual([0, 1]);
    expect(a.pausedPartitions).toEqual([]);
    // The next fetch: both batches start where they were cut.
    a.arrived(0, 20 * MIN);
    a.arrived(1, 16 * MIN);
    expect(a.limitFor(0)).toBe(31 * MIN);
    expect(a.limitFor(1)).toBe(35 * MIN);
    expect(a.forwarded(0, cut(30 * MIN, 40 * MIN, 48))).toEqual([]);
    expect(a.limitFor(1)).toBe(55 * MIN); // partition 0's next record is at 40 now
    expect(a.forwarded(1, cut(35 * MIN, 36 * MIN, 900))).toEqual([0, 1]);
  });

  it('lets a partition with nothing left to read hold nobody back', () => {
    const a = new ReadAlignment(15 * MIN);
    a.arrived(0, 0);
    // Read to its end while far behind (a gateway whose clock is behind).
    expect(a.forwarded(0, whole(5 * MIN, 0))).toEqual([]);
    a.arrived(1, 100 * MIN);
    expect(a.limitFor(1)).toBe(Infinity);
  });

  it('never leaves the lowest partition paused: a cut partition reads on once the others are done', () => {
    const a = new ReadAlignment(10 * MIN);
    a.arrived(0, 50 * MIN);
    a.arrived(1, 40 * MIN);
    expect(a.limitFor(0)).toBe(50 * MIN);
    expect(a.forwarded(0, cut(50 * MIN, 61 * MIN, 10))).toEqual([]);
    // Partition 1 forwards up to 55 and reaches its end: nothing holds partition 0 back.
    expect(a.forwarded(1, whole(55 * MIN, 0))).toEqual([0]);
    expect(a.limitFor(0)).toBe(Infinity);
  });

  it('keeps a position when a batch held no valid flow', () => {
    const a = new ReadAlignment(5 * MIN);
    a.arrived(0, 30 * MIN);
    a.forwarded(0, whole(30 * MIN, 5));
    a.arrived(0, -Infinity); // only records for the dead-letter topic
    expect(a.forwarded(0, whole(-Infinity, 4))).toEqual([]);
    expect(a.limitFor(1)).toBe(35 * MIN);
  });

  it('frees the others when a batch fails before it is forwarded', () => {
    const a = new ReadAlignment(MIN);
    a.arrived(0, 0);
    a.arrived(1, 100 * MIN);
    expect(a.limitFor(1)).toBe(MIN);
    expect(a.forwarded(1, cut(-Infinity, 100 * MIN, 10))).toEqual([]);
    expect(a.abandoned(0)).toEqual([1]);
  });

  it('forgets everything on reset and returns what it had paused, for the consumer to resume', () => {
    const a = new ReadAlignment(MIN);
    a.arrived(0, 0);
    a.arrived(1, 100 * MIN);
    a.forwarded(1, cut(-Infinity, 100 * MIN, 10));
    expect(a.reset()).toEqual([1]);
    expect(a.pausedPartitions).toEqual([]);
    expect(a.limitFor(1)).toBe(Infinity);
  });

  it('does nothing with a skew of 0 (off)', () => {
    const a = new ReadAlignment(0);
    expect(a.enabled).toBe(false);
    a.arrived(0, 0);
    a.arrived(1, 1000 * MIN);
    expect(a.limitFor(1)).toBe(Infinity);
    expect(a.forwarded(1, cut(0, 1000 * MIN, 10))).toEqual([]);
    expect(a.pausedPartitions).toEqual([]);
  });
});
