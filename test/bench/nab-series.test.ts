// How a NAB series becomes one destination's traffic: one flow per window, a window's mean value.
import { describe, expect, it } from 'vitest';
import { windowFlows } from '../../bench/nab-series.js';

const M = 60_000;

describe('windowFlows', () => {
  it('makes one flow per window, the mean of its rows (rows that share a window are one step, not more)', () => {
    // 5-minute windows: rows at 13:46, 13:51, 13:54, 13:59 (minutes from 0). 13:51 and 13:54
    // share the window 13:50-13:55: one flow of (200 + 300) / 2 = 250.
    const times = [46, 51, 54, 59].map((m) => m * M);
    expect(windowFlows(times, [100, 200, 300, 400], 5 * M)).toStrictEqual([
      { t: 46 * M, bytes: 100 },
      { t: 51 * M, bytes: 250 },
      { t: 59 * M, bytes: 400 },
    ]);
  });

  it('leaves a gap empty and starts a window of its own for a row going back in time', () => {
    const times = [0, 5, 20, 12].map((m) => m * M);
    expect(windowFlows(times, [1, 2, 3, 4], 5 * M)).toStrictEqual([
      { t: 0, bytes: 1 },
      { t: 5 * M, bytes: 2 },
      { t: 20 * M, bytes: 3 },
      { t: 12 * M, bytes: 4 },
    ]);
  });
});
