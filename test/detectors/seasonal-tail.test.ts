// The tails (src/detectors/baseline/tails.ts) as the baseline learns them: how far one burst
// onset moves a feature's tail, the bytes' deep tail, and the run tail's reading of a pair.
import { describe, expect, it } from 'vitest';
import { learnWindow, newBaseline, scoreWindow, type WindowObservation } from '../../src/detectors/baseline/seasonal-baseline.js';
import { DEEP_TAIL_GAUSSIAN, TAIL_GAUSSIAN } from '../../src/detectors/baseline/tails.js';
import { DOW_SET, PREV_BYTES_Z, TAIL, TAIL_DEEP, TAIL_RUN } from '../../src/detectors/baseline/layout.js';
import { ALL_DAYS_SEEN } from '../../src/detectors/baseline/weekday-kinds.js';
import { baselineFromJSON, baselineToJSON } from '../../src/detectors/baseline/state-json.js';
import type { BaselineState } from '../../src/detectors/baseline/layout.js';

const MINUTE = 60_000;
const BASE: WindowObservation = { start_ms: 0, end_ms: MINUTE, bytes: 5_000_000, flows: 10, packets: 40, sources: 2, hour: 9, weekday: 0 };

/**
 * Sixty identical windows in one hour (every residual 0: the tail stays at the Gaussian
 * point), then one window whose bytes sit `z` sd above the expectation: the bytes tail after it.
 */
function tailAfterOnset(z: number): number {
  return afterOnsets([z])[TAIL];
}

/** The same with one window per z after the flat hour: the state after the last. */
function afterOnsets(zs: readonly number[]): BaselineState {
  const s = newBaseline();
  for (let k = 0; k < 60; k++) {
    const at = { ...BASE, start_ms: k * MINUTE, end_ms: (k + 1) * MINUTE };
    learnWindow(s, at, scoreWindow(s, at), 1, 0, 0);
  }
  expect(s[TAIL]).toBe(Math.fround(TAIL_GAUSSIAN));
  expect(s[TAIL_DEEP]).toBe(Math.fround(DEEP_TAIL_GAUSSIAN));
  zs.forEach((z, k) => {
    const at = { ...BASE, start_ms: (60 + k) * MINUTE, end_ms: (61 + k) * MINUTE };
    const before = scoreWindow(s, at);
    // The expectation and the spread of bytes, in log space: bytes placed z sd above it.
    const expected = Math.log1p(at.bytes) - before.residual[0];
    const burst = { ...at, bytes: Math.round(Math.expm1(expected + z * before.sigma[0])) };
    const v = scoreWindow(s, burst);
    expect(v.residual[0] / v.sigma[0]).toBeCloseTo(z, 4);
    learnWindow(s, burst, v, 1, 0, 0);
  });
  return s;
}

describe('the tail estimate', () => {
  it('moves a whole step (0.25 x 0.99) for a burst that begins a sd or more beyond it', () => {
    expect(tailAfterOnset(2.326 + 3)).toBeCloseTo(2.326 + 0.2475, 4);
    expect(tailAfterOnset(2.326 + 1)).toBeCloseTo(2.326 + 0.2475, 4);
  });

  it('moves by the share of a sd that a burst just past it begins beyond it', () => {
    // 0.3 sd beyond the tail, about a Gaussian's mean overshoot past its 1% point: 0.3 of a step.
    expect(tailAfterOnset(2.326 + 0.3)).toBeCloseTo(2.326 + 0.3 * 0.2475, 4);
  });

  it('stays at the Gaussian floor for a window below it', () => {
    expect(tailAfterOnset(2.326 - 0.5)).toBe(Math.fround(TAIL_GAUSSIAN));
  });
});

describe("the bytes' deep tail (1 onset in 1,000)", () => {
  it('moves a whole step (0.25 x 0.999) for a burst that begins a sd or more beyond it, once per burst', () => {
    // 3.09 + 1.5: past the deep tail by more than a sd. The second window above it is the same
    // burst (no step); the 1% tail moved on the first window only, by a whole step.
    const s = afterOnsets([3.09 + 1.5, 3.09 + 1.5]);
    expect(s[TAIL_DEEP]).toBeCloseTo(3.09 + 0.24975, 4);
    expect(s[TAIL]).toBeCloseTo(2.326 + 0.2475, 4);
  });

  it('moves by the share of a sd a burst begins beyond it, and not at all for one below it', () => {
    expect(afterOnsets([3.09 + 0.4])[TAIL_DEEP]).toBeCloseTo(3.09 + 0.4 * 0.24975, 4);
    // Past the 1% tail but not the deep one: the deep tail stays at its Gaussian floor.
    expect(afterOnsets([3.0])[TAIL_DEEP]).toBe(Math.fround(DEEP_TAIL_GAUSSIAN));
  });

  it("widens the sizes' spread by its ratio to the Gaussian's 0.1% point where that exceeds the 1% tail's", () => {
    // A window whose bytes and packets sit 0.3 above their expectation (flows and sources on
    // it): with the deep tail at 1.5 x its Gaussian point the sizes' rows and columns of the
    // covariance widen by 1.5, so the same window scores exactly 1/1.5 of its distance.
    const s = afterOnsets([]);
    const at = { ...BASE, start_ms: 60 * MINUTE, end_ms: 61 * MINUTE };
    const before = scoreWindow(s, at);
    const lift = (x: number, r: number) => Math.round(Math.expm1(Math.log1p(x) - r + 0.3));
    const w = { ...at, bytes: lift(at.bytes, before.residual[0]), packets: lift(at.packets, before.residual[2]) };
    const plain = scoreWindow(s, w).distance;
    s[TAIL_DEEP] = 1.5 * DEEP_TAIL_GAUSSIAN;
    expect(scoreWindow(s, w).distance).toBeCloseTo(plain / 1.5, 6);
    // The 1% tail already wider than that (2.326 x 1.6): the deep tail adds nothing.
    s[TAIL] = 1.6 * TAIL_GAUSSIAN;
    s[TAIL + 2] = 1.6 * TAIL_GAUSSIAN;
    expect(scoreWindow(s, w).distance).toBeCloseTo(plain / 1.6, 6);
  });
});

describe("the bytes' deep tail: what the first tests leave open", () => {
  it('comes down by 0.25 x 0.001 a window below it, to its floor and no further', () => {
    // One onset 1.5 sd beyond it (a whole step: 3.09 + 0.24975), then 400 windows at the
    // expectation: 400 x 0.00025 = 0.1 off, 3.09 + 0.14975. (The 1% tail comes down 10 times as
    // fast: 0.0025 a window, so 99 windows take its whole step back.)
    const s = afterOnsets([3.09 + 1.5, ...new Array<number>(400).fill(0)]);
    expect(s[TAIL_DEEP]).toBeCloseTo(3.09 + 0.24975 - 400 * 0.00025, 3);
    expect(s[TAIL]).toBe(Math.fround(TAIL_GAUSSIAN));
    // 1,000 windows more take the rest: floored at 3.09, not below.
    const t = afterOnsets([3.09 + 1.5, ...new Array<number>(1400).fill(0)]);
    expect(t[TAIL_DEEP]).toBe(Math.fround(DEEP_TAIL_GAUSSIAN));
  });

  it('widens the sizes only: a window off in flows and sources alone scores the same whatever the deep tail', () => {
    const s = afterOnsets([]);
    const at = { ...BASE, start_ms: 60 * MINUTE, end_ms: 61 * MINUTE };
    const before = scoreWindow(s, at);
    const lift = (x: number, r: number) => Math.round(Math.expm1(Math.log1p(x) - r + 0.6));
    const w = { ...at, flows: lift(at.flows, before.residual[1]), sources: lift(at.sources, before.residual[3]) };
    const plain = scoreWindow(s, w).distance;
    expect(plain).toBeGreaterThan(1);
    s[TAIL_DEEP] = 2 * DEEP_TAIL_GAUSSIAN;
    expect(scoreWindow(s, w).distance).toBeCloseTo(plain, 6);
  });
});

/** After the flat hour, one window per z (bytes z sd above the expectation): each window's run reading as scored. */
function runRatios(zs: readonly number[]): { ratios: number[]; s: BaselineState } {
  const s = afterOnsets([]);
  const ratios = zs.map((z, k) => {
    const at = { ...BASE, start_ms: (60 + k) * MINUTE, end_ms: (61 + k) * MINUTE };
    const before = scoreWindow(s, at);
    const expected = Math.log1p(at.bytes) - before.residual[0];
    const w = { ...at, bytes: Math.round(Math.expm1(expected + z * before.sigma[0])) };
    const v = scoreWindow(s, w);
    const ratio = v.runRatio;
    learnWindow(s, w, v, 1, 0, 0);
    return ratio;
  });
  return { ratios, s };
}

describe("the bytes' run tail (two windows in a row)", () => {
  it('reads a pair past the deep tail by half its slope as the smaller z over that level; one window alone reads nothing', () => {
    // z 5 moves the deep tail a whole step (3.09 + 0.24975 = 3.33975) and the 1% tail too
    // (2.326 + 0.2475 = 2.5735), and pairs with the flat hour's 0: nothing. The rare level is
    // then 3.33975 + 0.5 x (3.33975 - 2.5735) = 3.722875, above the run record (3.09 + 0.25);
    // z 4.5 after it: min(4.5, 5) / 3.722875.
    const { ratios, s } = runRatios([5, 4.5]);
    expect(ratios[0]).toBe(0);
    expect(ratios[1]).toBeCloseTo(4.5 / 3.722875, 4);
    // The pair lifted the run tail to its own level: 4.5.
    expect(s[TAIL_RUN]).toBeCloseTo(4.5, 3);
    expect(s[PREV_BYTES_Z]).toBeCloseTo(4.5, 3);
  });

  it('reads the same pair again as routine, and a higher one against the level the first set', () => {
    // The first pair (5, 4.5) sets the run tail to 4.5; every pair below it lowers it by
    // 0.25 x 1e-4; (4.4, 4.4) is below the record (4.5 + the 0.25 margin): 0. (6, 6) is past
    // it, five pairs later: 6 / (4.499875 + 0.25). (The rare level is lower by then: the deep
    // tail 3.8385 and the 1% tail 3.0635 after the onsets of 4.4 and 6, so 4.226.)
    const { ratios } = runRatios([5, 4.5, 0, 4.4, 4.4, 0, 6, 6]);
    expect(ratios.slice(0, 6)).toEqual([0, ratios[1], 0, 0, 0, 0]);
    expect(ratios[1]).toBeGreaterThan(1);
    expect(ratios[7]).toBeCloseTo(6 / (4.5 - 5 * 0.25e-4 + 0.25), 4);
  });

  it('restores every older layout with no previous window and the run tail at 3.09; today\'s as it was', () => {
    // After the pair (5, 4.5): the previous z and the run tail both 4.5 (the test above).
    const { s } = runRatios([5, 4.5]);
    const json = baselineToJSON(s);
    // The lengths older versions wrote (state-json.ts): 56 before bytes' own profile, 95 before the
    // tails, 105 before the open day's hours, 114 and 115 before the flows profile, 148 before the
    // daily job, 151 before the deep tail, 152 before the run tail.
    for (const length of [56, 95, 105, 114, 115, 148, 151, 152]) {
      const old = baselineFromJSON(json.slice(0, length));
      expect([length, old.length, old[PREV_BYTES_Z], old[TAIL_RUN], old[DOW_SET]]).toEqual([length, 155, 0, Math.fround(3.09), ALL_DAYS_SEEN]);
    }
    // 154, before the weekdays seen were kept: its run reading as it was, every weekday seen.
    const before = baselineFromJSON(json.slice(0, 154));
    expect([before.length, before[PREV_BYTES_Z], before[TAIL_RUN], before[DOW_SET]]).toEqual([155, json[PREV_BYTES_Z], json[TAIL_RUN], ALL_DAYS_SEEN]);
    // Today's 155 numbers come back as they were, the pair's 4.5 included.
    expect(Array.from(baselineFromJSON(json))).toEqual(json);
    expect(json[PREV_BYTES_Z]).toBeCloseTo(4.5, 3);
  });

  it('reads no pair on the first window after a restore of the 152-number layout, where one that never stopped does', () => {
    // z 5 (past the deep tail, 3.09), then z 4.5: a pair, 4.5 / 3.722875, in the state that never
    // stopped; restored from 152 numbers between the two, the previous z is 0 and the pair reads 0.
    const kept = afterOnsets([5]);
    const restored = baselineFromJSON(baselineToJSON(kept).slice(0, 152));
    const at = { ...BASE, start_ms: 61 * MINUTE, end_ms: 62 * MINUTE };
    const before = scoreWindow(kept, at);
    const w = { ...at, bytes: Math.round(Math.expm1(Math.log1p(at.bytes) - before.residual[0] + 4.5 * before.sigma[0])) };
    expect(scoreWindow(kept, w).runRatio).toBeCloseTo(4.5 / 3.722875, 4);
    expect(scoreWindow(restored, w).runRatio).toBe(0);
    expect(scoreWindow(restored, w).distance).toBe(scoreWindow(kept, w).distance);
  });

  it('keeps the run tail where a burst\'s first pair set it while the burst goes on, the pair sharing its smaller window included', () => {
    // (5, 4.5) sets the run tail to 4.5 (single precision); (4.5, 5) reads that very 4.5: at the
    // tail, short of its record (4.75: no reading), and the same burst (no fall, no new lift);
    // (5, 5) reads 5 / 4.75 against the record the burst began at, and leaves the tail at 4.5.
    const { ratios, s } = runRatios([5, 4.5, 5, 5]);
    expect(ratios[2]).toBe(0);
    expect(ratios[3]).toBeCloseTo(5 / 4.75, 4);
    expect(s[TAIL_RUN]).toBeCloseTo(4.5, 3);
  });

  it('needs both windows past the deep tail', () => {
    // 3.0 is past the 1% tail but not the deep one (3.09): the pair (3.0, 5) reads nothing.
    expect(runRatios([3.0, 5]).ratios).toEqual([0, 0]);
    expect(runRatios([5, 3.0]).ratios).toEqual([0, 0]);
    // Past the deep tail but not by half its slope: (3.4, 3.4) on a Gaussian destination. The
    // first 3.4 moves the deep tail by 0.31 of a step (3.09 + 0.31 x 0.24975 = 3.16742) and the
    // 1% tail a whole step (2.5735): rare level 3.16742 + 0.5 x 0.59392 = 3.46438, above 3.4.
    expect(runRatios([3.4, 3.4]).ratios).toEqual([0, 0]);
    // The same pair at 3.6 passes it: 3.6 moves the deep tail 0.51 of a step (3.21737), rare
    // level 3.21737 + 0.5 x 0.64387 = 3.53931 (the run record, 3.09 + 0.25, is lower).
    expect(runRatios([3.6, 3.6]).ratios[1]).toBeCloseTo(3.6 / 3.53931, 4);
  });
});
