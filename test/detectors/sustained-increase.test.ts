// SUSTAINED_INCREASE's evidence: a block is judged against the usual ratio of normal blocks,
// which may raise the bar above the expectation but never lower it below.
import { describe, expect, it } from 'vitest';
import type { BaselineVerdict } from '../../src/detectors/baseline/seasonal-baseline.js';
import type { WindowContext } from '../../src/detectors/detector.js';
import { cusumState, presentWindowBytes, sustainedIncrease } from '../../src/detectors/sustained-increase.js';
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
    episode: { start: Number.NaN, above: 0, epoch: 0, level: 0, grownTo: 0, grownAt: Number.NaN  },
  });
}

/** The tenth window (09:09-09:10), which ends the 10-minute block; the hourly one goes on. */
function tenth(bytes: number, expectedBytes: number, expectedFlows = 10, flows = 10): WindowContext {
  const baseline: BaselineVerdict = {
    features: new Float64Array(4), distance: 0, residual: new Float64Array(4), sigma: Float64Array.of(1, 1, 1, 1),
    expectedBytes, expectedFlows, epoch: 0,
  };
  return {
    destination: 'cdn.example.com',
    window: { start_ms: T0 + 9 * MIN, end_ms: T0 + 10 * MIN, bytes, flows, packets: 10, sources: 1, hour: 9, weekday: 0 },
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

describe('SUSTAINED_INCREASE: a window with traffic carries at least one flow', () => {
  it('expects at least one flow\'s worth of bytes of a window seen', () => {
    // 10 MB expected at 0.25 flows a window: 40 MB a flow, and a window seen has one at least.
    expect(presentWindowBytes(10e6, 0.25)).toBe(40e6);
    expect(presentWindowBytes(10e6, 1)).toBe(10e6);
    expect(presentWindowBytes(10e6, 3)).toBe(10e6);
    expect(presentWindowBytes(10e6, 0)).toBe(10e6);
  });

  it('reads a sparse window of one flow at its expectation, not as growth', () => {
    // Nine windows at their expectation (90 MB), usual ratio 0, sd 0.2 (the floor). The tenth:
    // one flow of 60 MB where the baseline expects 10 MB and 0.25 flows. Expected as one flow,
    // 40 MB (its cap 40 MB e^1.5 = 179 MB, window sd 1): 150 MB against 130 MB,
    // z = ln(150e6 + 1 / 130e6 + 1) / 0.2 = 0.7155, the sum 4.5 + 0.7155 - 1 = 4.2155. Against
    // 10 MB the window counts its cap, 10 MB e^1.5 = 44.8 MB: ln(134.8 / 100) / 0.2 = 1.494, the
    // sum 4.994, a hair below the threshold: a second such window tips it.
    const step = sustainedIncrease.scoreOne(nineWindowsIn(90e6, 90e6, 0, 0.04), tenth(60e6, 10e6, 0.25, 1), settings);
    expect(step.alert).toBe(false);
    expect(step.score).toBeCloseTo(4.5 + (Math.log1p(150e6) - Math.log1p(130e6)) / 0.2 - 1, 8);
  });

  it('still reads four flows\' worth in a window expected at 0.25 flows as growth', () => {
    // 160 MB (within its cap of 179 MB): 250 MB against 130 MB, z = ln(250 / 130) / 0.2 = 3.27,
    // clipped at 2: 5.5, an alert. Against 10 MB a window counts at most 44.8 MB (above): 4.994,
    // none; a window of several flows on a sparse night counts in full.
    const step = sustainedIncrease.scoreOne(nineWindowsIn(90e6, 90e6, 0, 0.04), tenth(160e6, 10e6, 0.25, 4), settings);
    expect(step.alert).toBe(true);
    expect(step.score).toBeCloseTo(5.5, 8);
  });
});
