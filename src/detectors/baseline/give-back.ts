// The baseline's deliberate level moves, the only ones that do not come from learning: a
// lasting change a volume detector accepted (acceptLevel: the level goes to where the held
// windows were), and an accepted change that ended (returnLevel, once traffic has stayed back
// down for baseline.return_after: the level gives the rise back, never more). Each changes the
// epoch, so every detector restarts its run against the new level.
import { rateDayCorrection } from './weekday-rate.js';
import { BACK_N, BACK_RES, CUR_DOW, CUR_HOD, CUR_HOUR_SUM_FLOWS, CUR_HOUR_W, DOW_FLOWS, EPOCH, F, HELD_N, HELD_RES, HOD_FLOWS, HOURS, LEVEL, SHIFT, type BaselineState } from './layout.js';
import { occupancyGain } from './occupancy.js';

/** The held windows' mean residual follows about the last this many windows. */
export const HELD_SPAN = 8;

/** A held window teaches nothing, but is remembered as where traffic now is (acceptLevel). */
export function holdWindow(s: BaselineState, residual: Float64Array): void {
  const held = s[HELD_N] + 1;
  const rate = Math.max(1 / held, 1 / HELD_SPAN);
  for (let i = 0; i < F; i++) s[HELD_RES + i] = held === 1 ? residual[i] : s[HELD_RES + i] + rate * (residual[i] - s[HELD_RES + i]);
  s[HELD_N] = held;
}

/**
 * A lasting change accepted as the new normal (a detector's run outlasted accept_after):
 * the level moves to the held windows' recent mean, the spread and the seasonal shape
 * stay, and the epoch changes so every detector restarts its run. The features that sum over
 * flows (bytes, flows, packets) move by what the rate rose, not only by what the windows seen
 * rose: where windows were sparse the rise partly filled empty windows (occupancy.ts), which
 * the windows seen do not show and a busy hour's full windows later do. No feature moves down.
 */
export function acceptLevel(s: BaselineState): void {
  if (s[HELD_N] > 0) {
    const expectedFlows = expectedLog1pFlows(s);
    const gain = occupancyGain(expectedFlows, expectedFlows + s[HELD_RES + 1]);
    for (let i = 0; i < F; i++) {
      // A rise is accepted, never a fall: a run whose bytes settled at or below their
      // expectation is no longer accepted (episode.ts), but a feature's mean over the last
      // held windows can still sit below its expectation when a run is, and
      // moving the level down then made the next day read high (a night burst accepted at
      // 0.72x raised three false runs the following day on the volume scenario, seed 4). A
      // baseline that expects too much learns it down at its own pace.
      const move = Math.max(0, s[HELD_RES + i] + (i < SUMMED_FEATURES ? gain : 0));
      s[LEVEL + i] += move;
      s[SHIFT + i] += move;
    }
  }
  s[BACK_N] = 0;
  for (let i = 0; i < F; i++) s[BACK_RES + i] = 0;
  s[HELD_N] = 0;
  for (let i = 0; i < F; i++) s[HELD_RES + i] = 0;
  s[EPOCH] += 1;
}

/** Bytes, flows and packets sum over a window's flows (features 0-2); distinct sources do not. */
const SUMMED_FEATURES = 3;

/**
 * The model's log1p flows for the window just learnt (its hour and weekday slots, the hour
 * slot not interpolated; a young profile's open hour mean; the weekday term read through the
 * rate: weekday-rate.ts): what the held flows are read against.
 */
function expectedLog1pFlows(s: BaselineState): number {
  const hour = s[HOURS] < 24 ? (s[CUR_HOUR_W] > 0 ? s[CUR_HOUR_SUM_FLOWS] / s[CUR_HOUR_W] : 0) : s[HOD_FLOWS + s[CUR_HOD]];
  const base = s[LEVEL + 1] + hour;
  const day = s[DOW_FLOWS + s[CUR_DOW]];
  return base + day + rateDayCorrection(base, day, correction)[0];
}

const correction = new Float64Array(2);

/**
 * After an accepted rise (SHIFT[bytes] > 0): the learnt windows' residuals, smoothed over
 * about HELD_SPAN windows from the acceptance on (where they start at 0: the level was just
 * set to where traffic was). Once the smoothed bytes residual has stayed below half the
 * accepted shift for `windows` learnt windows in a row (baseline.return_after, as windows;
 * windows without traffic are not seen, so a sparse destination waits longer), traffic has
 * gone back down: returnLevel. Without it an accepted change that ends leaves the destination
 * judged against its peak for weeks, the level learning at a week's pace from winsorised
 * residuals: blind to a rise back to that level, and every later block of the creep
 * statistic reads as below normal.
 */
export function watchReturn(s: BaselineState, residual: Float64Array, windows: number): void {
  for (let i = 0; i < F; i++) s[BACK_RES + i] += (residual[i] - s[BACK_RES + i]) / HELD_SPAN;
  if (!(s[BACK_RES] < -0.5 * s[SHIFT])) {
    // Back up, nearer the accepted level than the old one: the rise recurs, and a rise that
    // recurs within return_after stays accepted (counting time below with set-backs instead
    // gave more back on bursty destinations: NAB 38.3 -> 37.1, more false positives).
    s[BACK_N] = 0;
    return;
  }
  s[BACK_N] += 1;
  if (s[BACK_N] >= windows) returnLevel(s);
}

/**
 * An accepted change has ended: each feature whose level an acceptance raised moves back by
 * the recent windows' residual, but not below where it was before (the shift); what is left
 * of the shift stays to be given back later. The epoch changes, as at an acceptance.
 */
function returnLevel(s: BaselineState): void {
  for (let i = 0; i < F; i++) {
    const move = s[SHIFT + i] > 0 ? Math.min(0, Math.max(s[BACK_RES + i], -s[SHIFT + i])) : 0;
    s[LEVEL + i] += move;
    s[SHIFT + i] += move;
    s[BACK_RES + i] = 0;
  }
  // Bytes back within a twentieth of where they were: nothing is left to give back.
  if (s[SHIFT] < RETURNED) for (let i = 0; i < F; i++) s[SHIFT + i] = 0;
  s[BACK_N] = 0;
  s[EPOCH] += 1;
}

/** An accepted bytes shift below this (a twentieth) is nothing to give back. */
export const RETURNED = Math.log(1.05);
