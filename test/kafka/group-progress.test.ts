// lagOf: the records a group has yet to commit past, as the fault suite and the soak read it.
import { describe, expect, it } from 'vitest';
import { lagOf } from '../../src/kafka/group-progress.js';

describe('lagOf', () => {
  it('counts each partition from its committed offset, or from its low offset where that is later or nothing was committed', () => {
    expect(
      lagOf([
        { partition: 0, low: 0, high: 10, committed: 8 }, // 2 behind
        { partition: 1, low: 3, high: 10, committed: -1 }, // never committed: 10 - 3 = 7
        { partition: 2, low: 5, high: 9, committed: 2 }, // committed below what retention kept: 9 - 5 = 4
        { partition: 3, low: 0, high: 4, committed: 4 }, // caught up
        { partition: 4, low: 0, high: 0, committed: -1 }, // empty
      ]),
    ).toBe(13);
  });

  it('never counts a partition as ahead of its end', () => {
    expect(lagOf([{ partition: 0, low: 0, high: 4, committed: 6 }])).toBe(0);
  });
});
