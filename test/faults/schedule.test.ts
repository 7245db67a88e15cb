import { describe, expect, it } from 'vitest';
import { splitChunks } from '../../src/faults/driver.js';
import { FAULT_KINDS, planFaults } from '../../src/faults/schedule.js';

describe('planFaults', () => {
  it('covers every kind once when the count allows, and repeats for the same seed', () => {
    const a = planFaults({ seed: 5, count: 10, sessionTimeoutMs: 6_000 });
    expect(a).toHaveLength(10);
    expect(a.map((f) => f.cycle)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(new Set(a.map((f) => f.kind))).toEqual(new Set(FAULT_KINDS));
    expect(planFaults({ seed: 5, count: 10, sessionTimeoutMs: 6_000 })).toEqual(a);
    expect(planFaults({ seed: 6, count: 10, sessionTimeoutMs: 6_000 })).not.toEqual(a);
  });

  it('draws only the kinds asked for, each once for a count equal to their number', () => {
    const kinds = ['sigkill', 'sigterm', 'rebalance'] as const;
    const plan = planFaults({ seed: 1, count: 3, kinds, sessionTimeoutMs: 6_000 });
    expect(plan.map((f) => f.kind).sort()).toEqual(['rebalance', 'sigkill', 'sigterm']);
  });

  it('pauses longer than the session timeout, and keeps the other delays in their ranges', () => {
    for (const seed of [1, 2, 3, 4]) {
      for (const f of planFaults({ seed, count: 20, sessionTimeoutMs: 6_000 })) {
        expect(['a', 'b']).toContain(f.target);
        expect(f.hitAfterMs).toBeGreaterThanOrEqual(0);
        expect(f.hitAfterMs).toBeLessThanOrEqual(600);
        if (f.kind === 'pause') {
          expect(f.downMs).toBeGreaterThanOrEqual(8_000);
          expect(f.downMs).toBeLessThanOrEqual(10_000);
        }
      }
    }
  });

  it('refuses an unknown kind and a negative count', () => {
    expect(() => planFaults({ seed: 1, count: 1, kinds: ['nap' as never], sessionTimeoutMs: 6_000 })).toThrow(/fault kind "nap"/);
    expect(() => planFaults({ seed: 1, count: -1, sessionTimeoutMs: 6_000 })).toThrow(/fault count/);
  });
});

describe('splitChunks', () => {
  it('cuts in order into chunks whose sizes differ by at most one', () => {
    expect(splitChunks([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2], [3, 4], [5, 6, 7]]);
    expect(splitChunks([1, 2], 3)).toEqual([[], [1], [2]]);
  });
});
