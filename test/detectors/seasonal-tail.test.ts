// The tail-calibrated spread's estimate: how far one burst onset moves a feature's tail.
import { describe, expect, it } from 'vitest';
import { learnWindow, newBaseline, scoreWindow, TAIL_GAUSSIAN, type WindowObservation } from '../../src/detectors/baseline/seasonal-baseline.js';
import { TAIL } from '../../src/detectors/baseline/layout.js';

const MINUTE = 60_000;
const BASE: WindowObservation = { start_ms: 0, end_ms: MINUTE, bytes: 5_000_000, flows: 10, packets: 40, sources: 2, hour: 9, weekday: 0 };

/**
 * Sixty identical windows in one hour (every residual 0: the tail stays at the Gaussian
 * point), then one window whose bytes sit `z` sd above the expectation: the bytes tail after it.
 */
function tailAfterOnset(z: number): number {
  const s = newBaseline();
  for (let k = 0; k < 60; k++) {
    const at = { ...BASE, start_ms: k * MINUTE, end_ms: (k + 1) * MINUTE };
    learnWindow(s, at, scoreWindow(s, at), 1, 0, 0);
  }
  expect(s[TAIL]).toBe(Math.fround(TAIL_GAUSSIAN));
  const at = { ...BASE, start_ms: 60 * MINUTE, end_ms: 61 * MINUTE };
  const before = scoreWindow(s, at);
  // The expectation and the spread of bytes, in log space: bytes placed z sd above it.
  const expected = Math.log1p(at.bytes) - before.residual[0];
  const burst = { ...at, bytes: Math.round(Math.expm1(expected + z * before.sigma[0])) };
  const v = scoreWindow(s, burst);
  expect(v.residual[0] / v.sigma[0]).toBeCloseTo(z, 4);
  learnWindow(s, burst, v, 1, 0, 0);
  return s[TAIL];
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
