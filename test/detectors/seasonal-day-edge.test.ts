// The weekday slots switch at the configured zone's midnight, but a destination's day may begin
// an hour or two early or late. Near midnight the score reads the weekday term at the higher of
// the two days' slots, by a share falling linearly from 1 at midnight to 0 two hours from it;
// the model learns against its own slots. Hand-set state: every hour slot 0, so a window's
// expectation is the level plus its weekday term (and the score's allowance near midnight).
import { describe, expect, it } from 'vitest';
import { dayEdgeShare, learnWindow, newBaseline, scoreWindow } from '../../src/detectors/baseline/seasonal-baseline.js';
import { CUR_DAY_SUM_BYTES, DOW_BYTES, HOURS, LEVEL, N, type BaselineState } from '../../src/detectors/baseline/layout.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const FRIDAY = Date.UTC(2026, 0, 9); // weekday 4 (Monday 0)
const LEVEL_BYTES = 15;

/** A settled baseline: bytes level 15 (log), weekdays +0.3, Saturday -1.1, Sunday -1.0; every hour slot 0. */
function settled(): BaselineState {
  const s = newBaseline();
  s[N] = 10_000;
  s[HOURS] = 24 * 14;
  s[LEVEL] = LEVEL_BYTES;
  for (let d = 0; d < 5; d++) s[DOW_BYTES + d] = 0.3;
  s[DOW_BYTES + 5] = -1.1;
  s[DOW_BYTES + 6] = -1.0;
  return s;
}

/** A one-minute window starting `minutes` after Friday 2026-01-09 00:00 UTC (zone UTC). */
function windowAt(minutes: number, logBytes: number) {
  const start = FRIDAY + minutes * MINUTE;
  const d = Math.floor(minutes / 1440);
  return {
    start_ms: start,
    end_ms: start + MINUTE,
    bytes: Math.expm1(logBytes),
    flows: 1,
    packets: 1,
    sources: 1,
    hour: Math.floor((minutes % 1440) / 60),
    weekday: (4 + d) % 7,
  };
}

const f32 = (x: number) => Math.fround(x);

describe('the weekday term near midnight', () => {
  it('is shared with the neighbouring day by 1 at midnight, falling to 0 two hours from it', () => {
    // Window middles: Saturday 00:00:30 (0.5 min after midnight), Saturday 00:29:30 + 1 min
    // (00:30:30), Friday 23:00:30 (59.5 min before), Saturday 01:59:30 and 02:00:30, Friday 12:00:30.
    expect(dayEdgeShare(windowAt(1440, 0))).toBeCloseTo(1 - 0.5 / 120, 12);
    expect(dayEdgeShare(windowAt(1440 + 30, 0))).toBeCloseTo(1 - 30.5 / 120, 12);
    expect(dayEdgeShare(windowAt(1380, 0))).toBeCloseTo(1 - 59.5 / 120, 12);
    expect(dayEdgeShare(windowAt(1440 + 119, 0))).toBeCloseTo(0.5 / 120, 12);
    expect(dayEdgeShare(windowAt(1440 + 120, 0))).toBe(0);
    expect(dayEdgeShare(windowAt(720, 0))).toBe(0);
  });

  it('reads a late weekend at the higher day, an early one as before', () => {
    const s = settled();
    const fri = f32(0.3);
    const sat = f32(-1.1);
    // Saturday 00:30-00:31: share 1 - 30.5/120; the Friday slot is the higher, so the expectation
    // is 15 - 1.1 + share * (0.3 + 1.1). A destination still at its Friday level (15.3) sits
    // (1 - share) * 1.4 = 0.3558 above it; before, the whole 1.4 (4.06x).
    const share = 1 - 30.5 / 120;
    const late = scoreWindow(s, windowAt(1440 + 30, LEVEL_BYTES + 0.3));
    expect(late.expectedBytes).toBeCloseTo(Math.expm1(LEVEL_BYTES + sat + share * (fri - sat)), 0);
    expect(late.residual[0]).toBeCloseTo(0.3 - (sat + share * (fri - sat)), 5);
    expect(late.residual[0]).toBeCloseTo((1 - share) * 1.4, 5);
    // Friday 23:00-23:01: Saturday's slot is lower, so Friday's own slot stands (no allowance).
    const fridayNight = scoreWindow(s, windowAt(1380, LEVEL_BYTES + 0.3));
    expect(fridayNight.residual[0]).toBeCloseTo(0.3 - fri, 6);
    // Saturday 02:00-02:01: two hours from midnight, Saturday's own slot: 1.4 above it.
    expect(scoreWindow(s, windowAt(1440 + 120, LEVEL_BYTES + 0.3)).residual[0]).toBeCloseTo(0.3 - sat, 5);
    // Sunday 23:30-23:31 (middle 29.5 min before Monday): Monday's slot is higher by 1.3.
    const sundayLate = scoreWindow(s, windowAt(3 * 1440 - 30, LEVEL_BYTES + 0.3));
    expect(sundayLate.residual[0]).toBeCloseTo(0.3 - f32(-1.0) - (1 - 29.5 / 120) * (fri - f32(-1.0)), 5);
  });

  it('learns against the model\'s own slots: a weekend that begins on time teaches no shortfall', () => {
    const s = settled();
    // Saturday 00:30-00:31 exactly at Saturday's model expectation (15 - 1.1): scored 1.0437
    // below the allowance, but the model's residual is 0, so the level and the open day's bytes
    // sum do not move (learnt as scored, the day's sum would take the -1.0437, winsorised).
    const w = windowAt(1440 + 30, LEVEL_BYTES + f32(-1.1));
    const v = scoreWindow(s, w);
    expect(v.residual[0]).toBeCloseTo(-(1 - 30.5 / 120) * (f32(0.3) - f32(-1.1)), 5);
    const hourBucket = Math.floor(w.start_ms / HOUR);
    learnWindow(s, w, v, 1, hourBucket, 20_000);
    expect(s[LEVEL]).toBe(f32(LEVEL_BYTES));
    expect(s[CUR_DAY_SUM_BYTES]).toBeCloseTo(0, 9);
  });
});
