// The seasonal baseline's verdicts: scoring into a reused verdict, and what it learns.
import { describe, expect, it } from 'vitest';
import { newBaseline, scoreWindow, learnWindow, type WindowObservation } from '../../src/detectors/baseline/seasonal-baseline.js';

describe('scoreWindow', () => {
  it('gives the same verdict written into a reused one as in a fresh one', () => {
    const s = newBaseline();
    const into = scoreWindow(s, window(1000, 3, 10, 2)); // a verdict to reuse
    for (let k = 0; k < 200; k++) {
      const w = window(1000 + ((k * 7919) % 5000), 1 + (k % 9), 5 + (k % 40), 1 + (k % 4));
      const fresh = scoreWindow(s, w);
      expect(scoreWindow(s, w, into)).toStrictEqual(fresh);
      learnWindow(s, w, fresh, 1, Math.floor(k / 60), Math.floor(k / 1440));
    }
    expect(into.distance).toBeGreaterThan(0);
  });
});

function window(bytes: number, flows: number, packets: number, sources: number): WindowObservation {
  return { start_ms: 0, end_ms: 60_000, bytes, flows, packets, sources, hour: 9, weekday: 0 };
}

describe('the spread prior', () => {
  it('gives way to the data within a 60-window warm-up', () => {
    // Sixty identical windows in one hour: every residual is exactly 0. The first window sets
    // the level; the second is judged against an hour with no mean yet (no spread learnt);
    // windows 3..60 each take the running mean of squared residuals one step, at rate
    // 1/(n + 5) with n = 2..59 windows learnt. The prior variance 1 is so left with weight
    // (2 + 5 - 1) / (59 + 5) = 6/64 (a prior of 20 windows kept 21/79, a log sd of 0.52).
    const s = newBaseline();
    const w = { start_ms: 0, end_ms: 60_000, bytes: 5_000_000, flows: 10, packets: 40, sources: 2, hour: 9, weekday: 0 };
    for (let k = 0; k < 60; k++) {
      const at = { ...w, start_ms: k * 60_000, end_ms: (k + 1) * 60_000 };
      learnWindow(s, at, scoreWindow(s, at), 1, 0, 0);
    }
    const v = scoreWindow(s, { ...w, start_ms: 60 * 60_000 - 60_000, end_ms: 60 * 60_000 });
    for (let i = 0; i < 4; i++) expect(v.sigma[i]).toBeCloseTo(Math.sqrt(6 / 64), 6);
  });
});

describe('the spread memory', () => {
  // 300 identical windows in one hour bucket: every residual is exactly 0, so the prior
  // variance 1 keeps the product of (1 - rate) over the windows that learn the spread (the
  // first sets the level, the second has no hour mean yet: n = 2..299 learn).
  function sigmaAfter300(windowMs: number): number {
    const s = newBaseline();
    const w = { start_ms: 0, end_ms: windowMs, bytes: 5_000_000, flows: 10, packets: 40, sources: 2, hour: 9, weekday: 0 };
    for (let k = 0; k < 300; k++) {
      const at = { ...w, start_ms: k * windowMs, end_ms: (k + 1) * windowMs };
      learnWindow(s, at, scoreWindow(s, at), 1, 0, 0);
    }
    return scoreWindow(s, { ...w, start_ms: 300 * windowMs, end_ms: 301 * windowMs }).sigma[0];
  }

  it('is a running mean over 1-minute windows (it reaches 500 windows in 8 hours)', () => {
    // rate 1/(n + 5) throughout: prod (n + 4)/(n + 5), n = 2..299, = 6/304.
    expect(sigmaAfter300(60_000)).toBeCloseTo(Math.sqrt(6 / 304), 5);
  });

  it('never reaches back more than the level\'s week: hourly windows learn at 1/168 from the 164th', () => {
    // 1/(n + 5) until n = 163 (6/168 of the prior left), then 1/168 (a week of hours) for
    // n = 164..299, not 1/(n + 5) (which would leave 6/304).
    expect(sigmaAfter300(3_600_000)).toBeCloseTo(Math.sqrt((6 / 168) * (167 / 168) ** 136), 5);
  });
});

describe('the spike distance (what VOLUME_SPIKE scores)', () => {
  // After the flat hour above the covariance is diagonal (identical windows add nothing off it),
  // every variance 6/64: the distance is the length of the residuals over sqrt(6/64).
  function flatHour() {
    const s = newBaseline();
    const w = { start_ms: 0, end_ms: 60_000, bytes: 5_000_000, flows: 10, packets: 40, sources: 2, hour: 9, weekday: 0 };
    for (let k = 0; k < 60; k++) {
      const at = { ...w, start_ms: k * 60_000, end_ms: (k + 1) * 60_000 };
      learnWindow(s, at, scoreWindow(s, at), 1, 0, 0);
    }
    return { s, at: { ...w, start_ms: 60 * 60_000, end_ms: 61 * 60_000 } };
  }
  const length = (xs: number[]) => Math.sqrt(xs.reduce((a, x) => a + x * x, 0) / (6 / 64));

  it('reads flows and sources below their expectation as at it; bytes and packets count as they are', () => {
    const { s, at } = flatHour();
    // 4x the bytes and 2x the packets in 4 flows from 1 source (10 and 2 expected).
    const v = scoreWindow(s, { ...at, bytes: 20_000_000, flows: 4, packets: 80, sources: 1 });
    const r = Array.from(v.residual);
    expect(r[1]).toBeLessThan(0);
    expect(r[3]).toBeLessThan(0);
    expect(v.distance).toBeCloseTo(length(r), 5);
    expect(v.spikeDistance).toBeCloseTo(length([r[0], 0, r[2], 0]), 5);
    expect(v.spikeDistance).toBeLessThan(v.distance);
  });

  it('reads only the counts below as at it: sources below alone, packets below counted as they are', () => {
    const { s, at } = flatHour();
    // 4x the bytes in 30 flows (10 expected) from 1 source (2 expected), half the packets.
    const v = scoreWindow(s, { ...at, bytes: 20_000_000, flows: 30, packets: 20, sources: 1 });
    const r = Array.from(v.residual);
    expect(r[1]).toBeGreaterThan(0);
    expect(r[2]).toBeLessThan(0);
    expect(r[3]).toBeLessThan(0);
    expect(v.spikeDistance).toBeCloseTo(length([r[0], r[1], r[2], 0]), 5);
    expect(v.spikeDistance).toBeLessThan(v.distance);
  });

  it('is never more than the distance: where the features move together, a count\'s fall explains the others\' and is not read away', () => {
    // An hour whose windows alternate between a size and twice it in every feature: the four
    // features learn a strong positive correlation. A window at half the size in every feature
    // lies along it (a small distance); with flows and sources read at their expectation the
    // bytes' and packets' fall would be out of line with them (a larger distance), so the spike
    // distance takes the distance.
    const s = newBaseline();
    for (let k = 0; k < 120; k++) {
      const m = k % 2 === 0 ? 1 : 2;
      const at = { start_ms: k * 60_000, end_ms: (k + 1) * 60_000, bytes: 5_000_000 * m, flows: 10 * m, packets: 40 * m, sources: 2 * m, hour: 9, weekday: 0 };
      learnWindow(s, at, scoreWindow(s, at), 1, 0, 0);
    }
    const at = { start_ms: 120 * 60_000, end_ms: 121 * 60_000, hour: 9, weekday: 0 };
    const v = scoreWindow(s, { ...at, bytes: 2_500_000, flows: 5, packets: 20, sources: 1 });
    for (let i = 0; i < 4; i++) expect(v.residual[i]).toBeLessThan(0);
    expect(v.spikeDistance).toBe(v.distance);
  });

  it('is the distance when no count is below its expectation', () => {
    const { s, at } = flatHour();
    const v = scoreWindow(s, { ...at, bytes: 20_000_000, flows: 30, packets: 80, sources: 3 });
    expect(v.residual[1]).toBeGreaterThan(0);
    expect(v.residual[3]).toBeGreaterThan(0);
    expect(v.spikeDistance).toBe(v.distance);
    expect(v.distance).toBeCloseTo(length(Array.from(v.residual)), 5);
  });
});
