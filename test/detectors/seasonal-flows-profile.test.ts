// The flow count has an hour and weekday profile of its own: packets (which swing with bytes)
// no longer set the flows' expectation through a profile the counts share. Hand-built as in
// seasonal-day-level.test.ts: one 1 ms window at each half hour (the level, at 1 ms / 7 days a
// window, does not move in single precision; each window reads its own hour slot only).
import { describe, expect, it } from 'vitest';
import { learnWindow, newBaseline, scoreWindow } from '../../src/detectors/baseline/seasonal-baseline.js';
import { BASELINE_STATE_LENGTH, type BaselineState } from '../../src/detectors/baseline/layout.js';
import { baselineFromJSON, baselineToJSON } from '../../src/detectors/baseline/state-json.js';

const HOUR = 3_600_000;
const T = Date.UTC(2026, 0, 2); // a Friday: weekday 4 (Monday 0)
const FLOWS = 3;
const PACKETS = 30;

function at(day: number, h: number, flows = FLOWS, packets = PACKETS) {
  const start = T + day * 24 * HOUR + h * HOUR + HOUR / 2;
  return { start_ms: start, end_ms: start + 1, bytes: Math.expm1(20), flows, packets, sources: 1, hour: h, weekday: (4 + day) % 7 };
}

function learn(s: BaselineState, w: ReturnType<typeof at>, day: number): void {
  learnWindow(s, w, scoreWindow(s, w), 1, Math.floor(w.start_ms / HOUR), day);
}

/**
 * Friday: every window alike (all slots 0). Saturday: alike too, but at 12:30 flows 0.3 above
 * Friday's in log (log1p(flows) = ln 4 + 0.3) and packets 0.3 below (ln 31 - 0.3). Sunday's
 * first window folds Saturday's last hour and Saturday itself.
 */
function fridayThenSaturday(): BaselineState {
  const s = newBaseline();
  const first = { ...at(0, 0), start_ms: T, end_ms: T + 1 };
  learnWindow(s, first, scoreWindow(s, first), 1, T / HOUR, 0);
  for (let h = 0; h < 24; h++) learn(s, at(0, h), 0);
  for (let h = 0; h < 24; h++) {
    learn(s, h === 12 ? at(1, h, Math.expm1(Math.log(4) + 0.3), Math.expm1(Math.log(31) - 0.3)) : at(1, h), 1);
  }
  learn(s, at(2, 0), 2);
  return s;
}

describe('the flows profile', () => {
  it('learns the flow count\'s own hour slot: Sunday 12:30 is expected at Saturday 12:30\'s flows, not the counts\' mean', () => {
    const s = fridayThenSaturday();
    // Saturday is the second hour cycle: each hour slot folds 1/2 of its hour's mean residual.
    // Flows' 12:00 slot: 0.3 / 2 = 0.15. Sunday's weekday slot is unset (0). Expected flows at
    // Sunday 12:30: e^(ln 4 + 0.15) - 1 = 3.6473. With one profile for the three counts, the
    // slot held (0.3 - 0.3 + 0) / 3 / 2 = 0 and 3 flows were expected.
    const v = scoreWindow(s, at(2, 12));
    expect(v.expectedFlows).toBeCloseTo(4 * Math.exp(0.15) - 1, 4);
    // Packets and sources share the counts' slot: (-0.3 + 0) / 2 / 2 = -0.075, so a window at
    // Friday's 30 packets and 1 source sits 0.075 above it in both (shared profile: 0 and 0).
    expect(v.residual[2]).toBeCloseTo(0.075, 5);
    expect(v.residual[3]).toBeCloseTo(0.075, 5);
    expect(v.residual[1]).toBeCloseTo(-0.15, 5);
  });

  it('learns the flow count\'s own weekday slot', () => {
    const s = fridayThenSaturday();
    // Saturday folds whole into its weekday slot (first weekly cycle): flows' mean residual
    // over its 24 hours is 0.3 / 24 = 0.0125. Bytes showed nothing, so no hour slot gives
    // anything back. The next Saturday at 05:30 (hour slot 0) expects the rate of 3 flows a
    // window seen (3.18351) times e^0.0125, read back as flows a window seen (weekday-rate.ts):
    // 3.033077 (independent script: truncated Poisson sums), where e^(ln 4 + 0.0125) - 1 =
    // 3.0503 added the weekday term to each window seen in log space.
    expect(scoreWindow(s, at(8, 5)).expectedFlows).toBeCloseTo(3.033077, 4);
    // The counts' Saturday slot: -0.3 / 2 / 24 = -0.00625, and the rate's rise adds to a sum
    // over flows E[ln f | f >= 1] at 3.18351 e^0.0125 less at 3.18351, less 0.0125: -0.001181
    // (script). A Friday-like window reads 0.00625 + 0.001181 above it.
    expect(scoreWindow(s, at(8, 5)).residual[2]).toBeCloseTo(0.00625 + 0.001181, 5);
  });

  it('restores a state written before flows had its own profile (115 numbers): flows start from the counts\' profile', () => {
    const s = fridayThenSaturday();
    const OLD_LENGTH = 115;
    expect(BASELINE_STATE_LENGTH).toBe(OLD_LENGTH + 24 + 7 + 2 + 3 + 1 + 2 + 1); // + flows' hour and weekday slots, its open hour's and day's sums, + the daily job, + the deep tail, + the run tail and its previous z, + the weekdays seen
    const old = baselineToJSON(s).slice(0, OLD_LENGTH);
    const restored = baselineFromJSON(old);
    expect(restored.length).toBe(BASELINE_STATE_LENGTH);
    expect(Array.from(restored.slice(0, OLD_LENGTH))).toEqual(old);
    // The counts' profile (state indices 25-55: 24 hour slots, 7 weekday slots) and its open
    // hour's and day's sums (indices 4 and 7) are the flows' too.
    expect(Array.from(restored.slice(OLD_LENGTH, OLD_LENGTH + 31))).toEqual(old.slice(25, 56));
    expect([restored[OLD_LENGTH + 31], restored[OLD_LENGTH + 32]]).toEqual([old[4], old[7]]);
    // So Sunday 12:30 expects flows at the counts' slot: e^(ln 4 - 0.075) - 1 = 2.7110.
    expect(scoreWindow(restored, at(2, 12)).expectedFlows).toBeCloseTo(4 * Math.exp(-0.075) - 1, 4);
  });
});
