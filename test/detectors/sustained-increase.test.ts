// SUSTAINED_INCREASE's evidence: a block is judged against the usual ratio of normal blocks,
// which may raise the bar above the expectation but never lower it below.
import { describe, expect, it } from 'vitest';
import type { BaselineVerdict } from '../../src/detectors/baseline/seasonal-baseline.js';
import type { WindowContext } from '../../src/detectors/detector.js';
import { cusumState, sustainedIncrease } from '../../src/detectors/sustained-increase.js';
import { MIN, T0, testConfig } from '../engine/fixtures.js';

const settings = { ...testConfig().detectors.sustained_increase, threshold: 5, min_windows: 10 };

/** Nine windows of a 10-minute block summed (T0 09:00 starts it), the sum at 4.5, the usual ratio `mean`. */
function nineWindowsIn(bytes: number, expected: number, mean: number, variance: number) {
  return cusumState({
    blocks: [
      { block: Math.floor(T0 / (10 * MIN)), bytes, expected, sum: 4.5, variance, learnt: 100, mean },
      { block: Math.floor(T0 / (60 * MIN)), bytes, expected, sum: 0, variance, learnt: 100, mean },
    ],
    run: 9, runBytes: bytes, runExpected: expected, runFlows: 90, runStartMs: T0, runExpectedFlows: 90,
    episode: { start: Number.NaN, above: 0, epoch: 0, level: 0, grownTo: 0, grownAt: Number.NaN , quick: 0, slow: 0 },
  });
}

/** The tenth window (09:09-09:10), which ends the 10-minute block; the hourly one goes on. */
function tenth(bytes: number, expectedBytes: number): WindowContext {
  const baseline: BaselineVerdict = {
    features: new Float64Array(4), distance: 0, residual: new Float64Array(4), sigma: Float64Array.of(1, 1, 1, 1),
    expectedBytes, expectedFlows: 10, epoch: 0,
  };
  return {
    destination: 'cdn.example.com',
    window: { start_ms: T0 + 9 * MIN, end_ms: T0 + 10 * MIN, bytes, flows: 10, packets: 10, sources: 1, hour: 9, weekday: 0 },
    baseline, learnedWindows: 100, learnedHours: 48, historyMs: 8 * 86_400_000, dailySpread: 0, warmupWindows: 60,
  };
}

describe('SUSTAINED_INCREASE block evidence', () => {
  it('counts a block at its expectation as no increase, even where normal blocks ran 0.4 below it', () => {
    // 500 MB sent against 500 MB expected: ratio 0. Against the usual ratio -0.4 (sd 0.2) it
    // would be z = 2, adding 2 - 1 to the sum (4.5 -> 5.5, an alert); against the expectation
    // it is z = 0, and the sum falls by the allowance to 3.5.
    const step = sustainedIncrease.scoreOne(nineWindowsIn(450e6, 450e6, -0.4, 0.04), tenth(50e6, 50e6), settings);
    expect(step.alert).toBe(false);
    expect(step.score).toBe(3.5);
  });

  it('judges a block against a usual ratio above the expectation as before', () => {
    // 1 GB against 500 MB: ratio ln(1e9 + 1) - ln(5e8 + 1) = ln 2 (to 1e-9); usual ratio 0.1,
    // sd 0.3: z = (0.6931 - 0.1) / 0.3 = 1.977, the sum 4.5 + 0.977 = 5.477 > 5 on the tenth window.
    const step = sustainedIncrease.scoreOne(nineWindowsIn(900e6, 450e6, 0.1, 0.09), tenth(100e6, 50e6), settings);
    expect(step.alert).toBe(true);
    expect(step.score).toBeCloseTo(4.5 + (Math.log(2) - 0.1) / 0.3 - 1, 8);
  });
});
