// The weekday term read through the rate (weekday-rate.ts). Expected values from an
// independent script (Python: the truncated Poisson series summed directly over 400 terms
// with a log-space pmf, and its inverse by bisection), not from the module's tables.
import { describe, expect, it } from 'vitest';
import { rateDayCorrection } from '../../src/detectors/baseline/weekday-rate.js';
import { rateOfLog1p, seenLog, seenLog1p } from '../../src/detectors/baseline/poisson-windows.js';
import { newBaseline, scoreWindow } from '../../src/detectors/baseline/seasonal-baseline.js';
import { DOW_BYTES, DOW_FLOWS, HOURS, LEVEL, N } from '../../src/detectors/baseline/layout.js';

/** E[ln(1 + f) | f >= 1] and E[ln f | f >= 1] for f ~ Poisson(rate) (script). */
const SEEN = {
  0.5: [0.797699735, 0.175117633],
  1.5: [1.019001092, 0.52519588],
  3: [1.348164284, 1.004350769],
  50: [3.922057032, 3.901849976],
} as const;

describe('the windows seen at a Poisson rate', () => {
  it('carry the truncated Poisson means, from the table and past it', () => {
    for (const [rate, [log1p, log]] of Object.entries(SEEN)) {
      expect(seenLog1p(Number(rate))).toBeCloseTo(log1p, Number(rate) < 40 ? 5 : 3);
      expect(seenLog(Number(rate))).toBeCloseTo(log, Number(rate) < 40 ? 5 : 3);
    }
    // A trickle: every window seen carries one flow.
    expect([seenLog1p(0), seenLog(0)]).toEqual([Math.LN2, 0]);
  });

  it('meet where the table ends', () => {
    expect(seenLog1p(40 - 1e-9)).toBeCloseTo(seenLog1p(40), 9);
    expect(seenLog(40 - 1e-9)).toBeCloseTo(seenLog(40), 9);
  });

  it('give the rate back from the log1p mean, 0 at or below one flow a window', () => {
    expect(rateOfLog1p(SEEN[1.5][0])).toBeCloseTo(1.5, 4);
    // ln 4: three flows a window seen is a rate of 3.18351 (script).
    expect(rateOfLog1p(Math.log(4))).toBeCloseTo(3.18351, 4);
    expect(rateOfLog1p(SEEN[50][0])).toBeCloseTo(50, 0);
    expect(rateOfLog1p(Math.LN2)).toBe(0);
    expect(rateOfLog1p(0.3)).toBe(0);
  });
});

describe('rateDayCorrection', () => {
  const out = new Float64Array(2);

  it('takes most of a quiet day out of a sparse hour: a weekend at a quarter of a weekday night at 1.5 flows a window', () => {
    // Rate 1.5 -> 0.375: log1p features [E1p(0.375) - E1p(1.5)] - ln 0.25, sums [Elog(0.375) - Elog(1.5)] - ln 0.25.
    // The weekday term -1.386 leaves -0.248 for flows and -0.394 for bytes (1.28x and 1.48x, not 4x).
    const [flows, sums] = rateDayCorrection(SEEN[1.5][0], Math.log(0.25), out);
    expect(flows).toBeCloseTo(1.13830876, 4);
    expect(sums).toBeCloseTo(0.99218174, 4);
  });

  it('leaves a busy hour nearly as it was: twice a rate of 30', () => {
    // Script: E1p(60) - E1p(30) - ln 2 = -0.008406, Elog(60) - Elog(30) - ln 2 = +0.008708
    // (60 is past the table: its second-order form is within 2e-4 there).
    const [flows, sums] = rateDayCorrection(seenLog1p(30), Math.log(2), out);
    expect(flows).toBeCloseTo(-0.008406, 3);
    expect(sums).toBeCloseTo(0.008708, 3);
  });

  it('is 0 for a day at the reference, and the whole day term where every window seen carries one flow', () => {
    expect([...rateDayCorrection(SEEN[3][0], 0, out)]).toEqual([0, 0]);
    expect([...rateDayCorrection(Math.LN2, 0.5, out)]).toEqual([-0.5, -0.5]);
    expect([...rateDayCorrection(0.4, -1, out)]).toEqual([1, 1]);
  });
});

describe('the baseline of a sparse destination', () => {
  it('expects a weekend night by the rate: a quarter of the flows, not a quarter of each window', () => {
    // Hand-set: every hour slot 0, the flows' level at a rate of 1.5 a window, bytes at e^12 a
    // window seen; Saturday's weekday slots ln 0.25 for both (float32). A Saturday 03:00 window:
    const s = newBaseline();
    s[N] = 10_000;
    s[HOURS] = 24 * 14;
    s[LEVEL] = 12;
    s[LEVEL + 1] = SEEN[1.5][0];
    s[DOW_BYTES + 5] = Math.log(0.25);
    s[DOW_FLOWS + 5] = Math.log(0.25);
    const start = Date.UTC(2026, 0, 10, 3); // Saturday 03:00 UTC, far from midnight
    const v = scoreWindow(s, { start_ms: start, end_ms: start + 60_000, bytes: 1000, flows: 1, packets: 1, sources: 1, hour: 3, weekday: 5 });
    const level = Math.fround(SEEN[1.5][0]);
    const day = Math.fround(Math.log(0.25));
    // Flows: E1p(rate(level) * e^day), whatever float32 made of the level and the slot.
    expect(Math.log1p(v.expectedFlows)).toBeCloseTo(seenLog1p(rateOfLog1p(level) * Math.exp(day)), 9);
    // = E1p(0.375) = 0.7710 (script): 1.16 flows a window seen, where the weekday term in log
    // space gave e^(1.019 - 1.386) - 1 < 0 flows.
    expect(Math.log1p(v.expectedFlows)).toBeCloseTo(SEEN[1.5][0] + Math.log(0.25) + 1.13830876, 3);
    // Bytes: 12 + ln 0.25 + 0.99218 (script): 0.67x the weekday night's bytes per window seen, not 0.25x.
    expect(Math.log1p(v.expectedBytes)).toBeCloseTo(12 + Math.log(0.25) + 0.99218174, 3);
    // The sparse rate reading keeps the weekday term added in log space.
    expect(Math.log1p(v.linearBytes)).toBeCloseTo(12 + day, 5);
    expect(v.linearFlows).toBe(0); // e^(1.019 - 1.386) - 1 < 0: none
  });
});
