// A rate's rise in sparse windows: the part that filled empty windows (occupancy.ts), and the
// acceptance that adds it to the summed features' re-level (give-back.ts). Expected values are
// Poisson sums worked out term by term (below) and checked against an independent script
// (Python, 200 terms of the series).
import { describe, expect, it } from 'vitest';
import { learnWindow, newBaseline, scoreWindow } from '../../src/detectors/baseline/seasonal-baseline.js';
import { acceptLevel } from '../../src/detectors/baseline/give-back.js';
import { HELD_RES, LEVEL, SHIFT, type BaselineState } from '../../src/detectors/baseline/layout.js';
import { occupancyGain, rateOfSeen } from '../../src/detectors/baseline/occupancy.js';
import { seenLog1p } from '../../src/detectors/baseline/poisson-windows.js';

/**
 * E[ln(1 + f) | f >= 1], f ~ Poisson(1): the terms e^-1/f! ln(1 + f) for f = 1..9 are 0.254993,
 * 0.202078, 0.084998, 0.024670, 0.005493, 0.000994, 0.000152, 0.000020, 0.000002 (sum
 * 0.573400), over P(f >= 1) = 1 - e^-1 = 0.632121.
 */
const SEEN_AT_1 = 0.90711;
/** The same at Poisson(3) (independent script). */
const SEEN_AT_3 = 1.348164;

describe('the flows of the windows seen at a Poisson rate', () => {
  it('is ln 2 for a trickle (every window seen carries one flow) and the truncated Poisson mean above it', () => {
    expect(seenLog1p(0)).toBe(Math.LN2);
    expect(seenLog1p(1)).toBeCloseTo(SEEN_AT_1, 5);
    expect(seenLog1p(3)).toBeCloseTo(SEEN_AT_3, 5);
  });

  it('is inverted to the rate, 0 at or below one flow a window', () => {
    expect(rateOfSeen(SEEN_AT_1)).toBeCloseTo(1, 2);
    expect(rateOfSeen(SEEN_AT_3)).toBeCloseTo(3, 2);
    expect(rateOfSeen(Math.LN2)).toBe(0);
    expect(rateOfSeen(0.5)).toBe(0);
    // A full window's flow count: past the search's end, the end.
    expect(rateOfSeen(Math.log1p(500))).toBe(40);
  });
});

describe('occupancyGain: what a rate rose beyond what the windows seen show', () => {
  it('is ln of the share of windows with traffic after over before', () => {
    // Rate 1 -> 3: ln((1 - e^-3) / (1 - e^-1)) = ln(0.950213 / 0.632121) = 0.407606.
    expect(occupancyGain(SEEN_AT_1, SEEN_AT_3)).toBeCloseTo(0.407606, 2);
  });

  it('is 0 where every window already had traffic, and for no rise or a fall', () => {
    // Rate 30 -> 90: ln((1 - e^-90) / (1 - e^-30)) = 9.4e-14.
    expect(occupancyGain(Math.log1p(30), Math.log1p(90))).toBeLessThan(1e-9);
    expect(occupancyGain(SEEN_AT_1, SEEN_AT_1)).toBe(0);
    expect(occupancyGain(SEEN_AT_3, SEEN_AT_1)).toBe(0);
  });

  it('never exceeds the windows\' own rise in flows (one flow a window says nothing of the rate)', () => {
    // From one flow in every window seen (rate 0 by Poisson) to 1.5 a window: ln 1.5.
    expect(occupancyGain(Math.LN2, Math.log1p(1.5))).toBeCloseTo(Math.log(1.5), 9);
    // Rate 0.05 -> 3 would be ln(0.950213 / 0.048771) = 2.970; the windows' flows rose by
    // ln(expm1(1.348164) / expm1(0.703319)) = 1.027, which bounds it.
    expect(occupancyGain(seenLog1p(0.05), SEEN_AT_3)).toBeCloseTo(1.0272, 2);
  });
});

const HOUR = 3_600_000;
const T = Date.UTC(2026, 0, 2); // a Friday: weekday 4 (Monday 0)

/** One 1 ms window at the half hour (its hour slot read alone; the level does not move in single precision). */
function at(day: number, h: number, logBytes: number, flows: number) {
  const start = T + day * 24 * HOUR + h * HOUR + HOUR / 2;
  return { start_ms: start, end_ms: start + 1, bytes: Math.expm1(logBytes), flows, packets: 3 * flows, sources: 1, hour: h, weekday: (4 + day) % 7 };
}

/** Two flat days with `flows` a window, then one held window of `heldFlows` and log bytes `heldLogBytes`; accepted. */
function acceptAfterFlat(flows: number, heldFlows: number, heldLogBytes = 20.5): { s: BaselineState; held: number[]; levelBefore: number[] } {
  const s = newBaseline();
  for (let day = 0; day < 2; day++) {
    for (let h = 0; h < 24; h++) {
      const w = at(day, h, 20, flows);
      learnWindow(s, w, scoreWindow(s, w), 1, Math.floor(w.start_ms / HOUR), day);
    }
  }
  const w = at(2, 3, heldLogBytes, heldFlows);
  learnWindow(s, w, scoreWindow(s, w), 0, Math.floor(w.start_ms / HOUR), 2);
  const held = Array.from(s.slice(HELD_RES, HELD_RES + 4));
  const levelBefore = Array.from(s.slice(LEVEL, LEVEL + 4));
  acceptLevel(s);
  return { s, held, levelBefore };
}

describe('acceptLevel: a lasting change in sparse windows is re-levelled by its rate', () => {
  it('adds the occupancy gain to bytes, flows and packets, not to distinct sources', () => {
    // A flat profile of 1.4771 flows a window (a rate of 1 by Poisson), a held window of 2.8500 (rate 3).
    const { s, held } = acceptAfterFlat(Math.expm1(SEEN_AT_1), Math.expm1(SEEN_AT_3));
    expect(held[1]).toBeCloseTo(SEEN_AT_3 - SEEN_AT_1, 5);
    const gain = [0, 1, 2].map((i) => s[SHIFT + i] - held[i]);
    for (const g of gain) expect(g).toBeCloseTo(0.407606, 2);
    expect(s[SHIFT + 3]).toBeCloseTo(held[3], 6);
    // The level moved by the same amounts (the shift of a first acceptance is its whole move).
    expect(s[LEVEL] - 20).toBeCloseTo(s[SHIFT], 5);
  });

  it('never lowers a feature: a run that sits below its expectation when accepted leaves it where it was', () => {
    // Held at log bytes 19.6 (0.4 below the flat 20) and 10 flows where 30 were usual, packets
    // likewise, sources unchanged: every held residual is 0 or below, and at 30 flows a window
    // there is no occupancy gain. Before, the level dropped by the residuals (bytes -0.4), and a
    // destination whose night run was accepted at 0.72x read 1.3-1.4x all the next day.
    const { s, held, levelBefore } = acceptAfterFlat(30, 10, 19.6);
    expect(held[0]).toBeCloseTo(-0.4, 5);
    expect(held[1]).toBeCloseTo(Math.log(11 / 31), 5);
    expect(Array.from(s.slice(SHIFT, SHIFT + 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(s.slice(LEVEL, LEVEL + 4))).toEqual(levelBefore);
  });

  it('moves by the held windows alone where every window was full (30 flows a minute, then 90)', () => {
    const { s, held } = acceptAfterFlat(30, 90);
    for (let i = 0; i < 4; i++) expect(s[SHIFT + i]).toBeCloseTo(held[i], 6);
    expect(held[0]).toBeCloseTo(0.5, 5);
  });
});
