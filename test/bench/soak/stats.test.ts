import { describe, expect, it } from 'vitest';
import { heapTrend, mean, minuteFloors, percentile, regressionSlope } from '../../../bench/soak/stats.js';

describe('percentile (nearest rank)', () => {
  it('gives the textbook values for 15, 20, 35, 40, 50', () => {
    const values = [50, 15, 40, 20, 35]; // unsorted on purpose
    expect(percentile(values, 0)).toBe(15);
    expect(percentile(values, 0.3)).toBe(20); // rank ceil(1.5) = 2
    expect(percentile(values, 0.4)).toBe(20); // rank 2
    expect(percentile(values, 0.5)).toBe(35); // rank ceil(2.5) = 3
    expect(percentile(values, 1)).toBe(50);
    expect(values).toEqual([50, 15, 40, 20, 35]);
  });

  it('p99 of 1..1000 is 990; no values gives NaN', () => {
    expect(percentile(Array.from({ length: 1000 }, (_, i) => i + 1), 0.99)).toBe(990);
    expect(percentile([], 0.5)).toBeNaN();
  });
});

describe('regressionSlope', () => {
  it('least squares by hand', () => {
    expect(regressionSlope([0, 1, 2, 3], [1, 3, 5, 7])).toBe(2);
    // x mean 2.5, y mean 3.5: sxy = 2.25 - 0.25 - 0.25 + 2.25 = 4, sxx = 5
    expect(regressionSlope([1, 2, 3, 4], [2, 4, 3, 5])).toBeCloseTo(0.8, 12);
    expect(regressionSlope([2, 2], [1, 5])).toBeNaN();
    expect(() => regressionSlope([1, 2], [1])).toThrow(/2 x values but 1 y values/);
  });

  it('mean', () => {
    expect(mean([1, 2, 6])).toBe(3);
    expect(mean([])).toBeNaN();
  });
});

describe('heapTrend', () => {
  const MB = 1e6;
  it('flat heap: no growth trend', () => {
    const t = heapTrend([0, 1, 2, 3, 4], [100, 100, 100, 100, 100].map((v) => v * MB));
    expect(t).toEqual({ slopeBytesPerMinute: 0, meanBytes: 100 * MB, growthShare: 0, verdict: 'no growth trend' });
  });

  it('2 MB/min over 4 minutes on a 104 MB heap is 7.7%: growing', () => {
    const t = heapTrend([0, 1, 2, 3, 4], [100, 102, 104, 106, 108].map((v) => v * MB));
    expect(t.slopeBytesPerMinute).toBeCloseTo(2 * MB, 3);
    expect(t.growthShare).toBeCloseTo(8 / 104, 12);
    expect(t.verdict).toBe('growing');
  });

  it('0.5 MB/min over 4 minutes on a 101 MB heap is 2.0%: no growth trend', () => {
    const t = heapTrend([10, 11, 12, 13, 14], [100, 100.5, 101, 101.5, 102].map((v) => v * MB));
    expect(t.growthShare).toBeCloseTo(2 / 101, 12);
    expect(t.verdict).toBe('no growth trend');
  });

  it('fewer than three samples: too few', () => {
    expect(heapTrend([0, 1], [1, 2]).verdict).toBe('too few samples');
  });
});

describe('minuteFloors', () => {
  it('keeps the lowest sample of each whole minute from the start given, and no partial last minute', () => {
    // Samples from minute 0.5 on; floors counted from 1.0. Minute [3, 4) holds one sample
    // (3.1) and the samples end there: it is left out, though 100 would be its floor.
    const minutes = [0.5, 0.8, 1.0, 1.3, 1.6, 2.0, 2.3, 2.7, 3.1];
    const heap = [50, 10, 300, 250, 280, 310, 260, 330, 100];
    expect(minuteFloors(minutes, heap, 1)).toEqual({ minutes: [1, 2], floors: [250, 260] });
  });

  it('turns a sawtooth on a flat floor into no growth, where the raw samples read as growing', () => {
    // A collector's sawtooth over a flat 250 MB floor, sampled where it happened to fall:
    // high late in the run, low early.
    const minutes = [0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5];
    const heap = [250, 260, 250, 270, 250, 300, 250, 320].map((v) => v * 1e6);
    expect(heapTrend(minutes, heap).verdict).toBe('growing');
    // Minute [3, 4) is sampled only to 3.5: left out.
    const { minutes: m, floors } = minuteFloors(minutes, heap, 0);
    expect(m).toEqual([0, 1, 2]);
    expect(floors).toEqual([250e6, 250e6, 250e6]);
    expect(heapTrend(m, floors)).toEqual({ slopeBytesPerMinute: 0, meanBytes: 250e6, growthShare: 0, verdict: 'no growth trend' });
  });
});
