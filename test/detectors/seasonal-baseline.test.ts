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
