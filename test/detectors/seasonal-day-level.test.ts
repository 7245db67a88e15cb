// A day's level is learnt once: by its weekday slot, not also by every hour slot folded that
// day. Hand-built: one 1 ms window at each half hour (so the level, at 1 ms / 7 days a window,
// does not move in single precision, and each window reads its own hour slot only), bytes
// e^20 - 1 (log feature exactly 20) on two days, then a day at e^-0.2 or e^-2 of that.
import { describe, expect, it } from 'vitest';
import { dailySpread, learnWindow, newBaseline, scoreWindow } from '../../src/detectors/baseline/seasonal-baseline.js';
import { acceptLevel } from '../../src/detectors/baseline/give-back.js';
import { BASELINE_STATE_LENGTH, type BaselineState } from '../../src/detectors/baseline/layout.js';
import { baselineFromJSON, baselineToJSON } from '../../src/detectors/baseline/state-json.js';
import { ALL_DAYS_SEEN } from '../../src/detectors/baseline/weekday-kinds.js';

const HOUR = 3_600_000;
const T = Date.UTC(2026, 0, 2); // a Friday: weekday 4 (Monday 0)

/**
 * Learns one window per hour of day `day` (0 = the first) with log bytes `logBytes`. Day 0
 * opens with a window at midnight: the first window only sets the level, and this one lets
 * hour 0 fold like every other hour (24 hours a day).
 */
function learnDay(s: BaselineState, day: number, logBytes: number): void {
  if (day === 0) {
    const first = { ...at(0, 0, logBytes), start_ms: T, end_ms: T + 1 };
    learnWindow(s, first, scoreWindow(s, first), 1, T / HOUR, 0);
  }
  for (let h = 0; h < 24; h++) learnAt(s, day, h, logBytes);
}

function learnAt(s: BaselineState, day: number, h: number, logBytes: number): void {
  const w = at(day, h, logBytes);
  learnWindow(s, w, scoreWindow(s, w), 1, Math.floor(w.start_ms / HOUR), day);
}

function at(day: number, h: number, logBytes: number) {
  const start = T + day * 24 * HOUR + h * HOUR + HOUR / 2;
  return { start_ms: start, end_ms: start + 1, bytes: Math.expm1(logBytes), flows: 3, packets: 30, sources: 1, hour: h, weekday: (4 + day) % 7 };
}

/** ln(expected bytes) - 20 at hour h of day `day`: the hour slot plus the weekday slot. */
function expectedLog(s: BaselineState, day: number, h: number): number {
  return Math.log1p(scoreWindow(s, at(day, h, 20)).expectedBytes) - 20;
}

describe('the day level learnt once', () => {
  it('a day 0.2 below (within the clip) goes to its weekday slot only: the next weekday is expected at its level', () => {
    const s = newBaseline();
    learnDay(s, 0, 20); // Friday: the hour profile (young), all 0
    learnDay(s, 1, 20); // Saturday: residual 0
    learnDay(s, 2, 19.8); // Sunday, 0.2 below: each hour slot folds 1/3 of it (third hour cycle)
    expect(expectedLog(s, 3, 12)).toBeCloseTo(-0.2 / 3, 5); // Monday's slot is 0: the hour slot alone
    learnAt(s, 3, 0, 20); // Monday's first window rolls Sunday into its slot (first cycle: whole)
    // Before the fold takes the day's level out of them, each hour slot held -0.2/3. The
    // weekday slot took -0.2 whole and the hour slots 1/3 of it: (1 + 1/3) * 0.2 > 0.2, so
    // they give back their 1/3 (all of it). Monday 12:30 is expected at the level (0), and
    // the next Sunday 0.2 below it. Without the give-back: -0.0667 and -0.2667.
    expect(expectedLog(s, 3, 12)).toBeCloseTo(0, 5);
    expect(expectedLog(s, 9, 12)).toBeCloseTo(-0.2, 5);
  });

  it('a day beyond the clip (a steady destination\'s weekend) is still learnt by both, as far as the clip lets it through', () => {
    const s = newBaseline();
    learnDay(s, 0, 20);
    learnDay(s, 1, 20);
    learnDay(s, 2, 16); // 4 below, far beyond 2.5 sd of the spread learnt from residuals of 0
    const before = expectedLog(s, 3, 12); // the hour slot as day 2 left it (Monday's slot is 0)
    learnAt(s, 3, 0, 20);
    // Winsorised, the weekday slot takes the day's clipped mean -m and each hour slot about
    // -m/3; together (4/3) m stays within the 4 the day showed, so nothing is given back.
    expect(before).toBeLessThan(-0.1);
    expect(expectedLog(s, 3, 12)).toBe(before);
  });

  it('learns a weekend day with quiet night hours once the hour profile was whole before it began', () => {
    const s = newBaseline();
    learnDay(s, 0, 20); // Friday: all 24 hour slots set
    for (let h = 0; h < 24; h++) if (h !== 3 && h !== 4) learnAt(s, 1, h, 19.8); // Saturday, no traffic 03:00-05:00
    learnAt(s, 2, 0, 20); // Sunday's first window rolls Saturday
    // 46 hours folded (not the 48 two full days have), but the hour profile was whole before
    // Saturday began (46 - 22 = 24): Saturday is learnt by its weekday slot (-0.2) and the
    // day range (0.2); its 22 hour slots give back their half (rate 1/2: (1 + 1/2) 0.2 > 0.2).
    // Counting 48 hours, Saturday went to the hour slots alone (-0.1 each), the weekday slot
    // and the day range learnt nothing, and Monday read 0.1 high.
    expect(dailySpread(s)).toBeCloseTo(0.2, 6);
    expect(expectedLog(s, 3, 12)).toBeCloseTo(0, 5);
    expect(expectedLog(s, 8, 12)).toBeCloseTo(-0.2, 5);
  });

  it('restores a state written before the open day\'s hours were marked and accepted shifts remembered (105 numbers)', () => {
    const s = newBaseline();
    learnDay(s, 0, 20);
    learnDay(s, 1, 20);
    learnAt(s, 2, 0, 19.8);
    // What the baseline of commit ce83aa4 wrote: the layout up to the day's raw sum and count.
    const OLD_LENGTH = 105;
    // + the open day's hours, + the accepted shift (4), its watch (1 + 4), + the flows profile (24 + 7 + 2), + the daily job (3), + the deep tail
    expect(BASELINE_STATE_LENGTH).toBe(OLD_LENGTH + 1 + 9 + 33 + 3 + 1 + 2 + 1);
    const old = baselineToJSON(s).slice(0, OLD_LENGTH);
    const restored = baselineFromJSON(old);
    expect(restored.length).toBe(BASELINE_STATE_LENGTH);
    expect(Array.from(restored.slice(0, OLD_LENGTH))).toEqual(old);
    expect(Array.from(restored.slice(OLD_LENGTH, OLD_LENGTH + 10))).toEqual(new Array(10).fill(0));
    // The flows profile starts as the counts' (slots at 25-55, open sums at 4 and 7).
    expect(Array.from(restored.slice(OLD_LENGTH + 10, OLD_LENGTH + 43))).toEqual([...old.slice(25, 56), old[4], old[7]]);
    // No daily job remembered yet; the bytes' deep tail at the Gaussian's 0.1% point.
    expect(Array.from(restored.slice(OLD_LENGTH + 43))).toEqual([0, 0, 0, Math.fround(3.09), 0, Math.fround(3.09), ALL_DAYS_SEEN]);
  });

  it('restores a state main wrote with the accepted shift before the open day\'s hours were kept (114 numbers, commit 8360b0a)', () => {
    const s = newBaseline();
    learnDay(s, 0, 20);
    learnDay(s, 1, 20);
    // A held window 0.5 above the profile's 0 (log bytes 20.5 on a flat profile), then accepted:
    // the shift for bytes is that window's residual.
    const held = at(2, 0, 20.5);
    learnWindow(s, held, scoreWindow(s, held), 0, Math.floor(held.start_ms / HOUR), 2);
    acceptLevel(s);
    const now = baselineToJSON(s);
    const shift = now[106];
    expect(shift).toBeGreaterThan(0.45);
    // 8360b0a's layout: indices 0-104 as now, then the shift (4), its watch count and residuals (1 + 4).
    const old = [...now.slice(0, 105), ...now.slice(106, 115)];
    expect(old.length).toBe(114);
    const restored = baselineFromJSON(old);
    expect(restored.length).toBe(BASELINE_STATE_LENGTH);
    expect(Array.from(restored.slice(0, 105))).toEqual(old.slice(0, 105));
    expect(restored[105]).toBe(0); // no hour of the open day marked
    expect(Array.from(restored.slice(106, 115))).toEqual(old.slice(105, 114));
    // The flows profile starts as the counts' (slots at 25-55, open sums at 4 and 7).
    expect(Array.from(restored.slice(115, 148))).toEqual([...old.slice(25, 56), old[4], old[7]]);
    expect(Array.from(restored.slice(148))).toEqual([0, 0, 0, Math.fround(3.09), 0, Math.fround(3.09), ALL_DAYS_SEEN]); // no daily job remembered yet; the deep and run tails Gaussian; every weekday seen
  });
});
