// One volume detector's open run ("episode"): from its first alert until traffic is back
// near the baseline. While it is open the detector holds its windows, so the shared
// baseline's level and spread learn nothing from them (the anomaly cannot teach them; the
// seasonal profiles and the tails still see them, winsorised: seasonal-baseline.ts). Once the change has
// stopped growing for the detector's accept_after it is accepted: the baseline re-levels to
// where traffic now is (acceptLevel) and the episode ends. A change still growing (a creep
// that has not plateaued) is not a new normal yet: each growth by GROWTH restarts the
// accept_after clock, so one creep stays one incident until it levels off. The run opened
// on a window that alerted, which sits high by selection: the level weighs the run's windows
// equally until its span is reached, and the mark follows the level over that first span, so
// the opening window does not set a mark the creep must then outgrow. A run that went on
// growing after it opened must then stay level for as long as it grew (at most
// GROWTH_WAIT_CAP accept_afters) before it is accepted: growth that took hours to show is not
// over because one accept_after of noisy windows hides it. A re-level by any
// detector (the baseline's epoch changes) ends every detector's episode, since they were
// judged against the old level. A detector may also keep a growth fit (growth-fit.ts): a
// line through the run's ratios since its last growth, and then a run whose line still rises
// is level only where that line's slope is, with its own noise as the bar, below half of
// GROWTH per accept_after.

import { fitAdd, fitReset, mayStillRise } from './growth-fit.js';

export interface Episode {
  /** Start (ms) of the window that opened it; NaN: no episode open. */
  start: number;
  /** How far above normal traffic has recently been (smoothed, in the detector's units). */
  above: number;
  /** The baseline epoch it was judged in. */
  epoch: number;
  /** Smoothed ln(bytes / expected bytes) of the run's windows. */
  level: number;
  /** The level at its last growth, and when (ms) that was: accept_after counts from there. */
  grownTo: number;
  grownAt: number;
}

/** The smoothing of `above`: about the last four judgements count. */
const ABOVE_RATE = 0.25;
/** The smoothing of `level`, per window: about the last ten windows count. */
const LEVEL_RATE = 0.1;
/** A rise of the run's level by this (ln 1.2: a fifth) since its last growth is growth. */
export const GROWTH = Math.log(1.2);
/** The longest a run that grew after it opened must stay level, in accept_afters (as long as it grew, at most this). */
export const GROWTH_WAIT_CAP = 3;

/** A run accepted as the new normal: when it opened, its level, how long it has stayed there. */
export interface AcceptedRun {
  start: number;
  /** ln(bytes / expected bytes), smoothed over the run's recent windows. */
  level: number;
  /** How long (ms) it has not grown: accept_after, or as long as it grew after it opened (at most GROWTH_WAIT_CAP accept_afters). */
  steadyMs: number;
}
/** ln(bytes / expected bytes), the measure of a run's level (log1p: 0 bytes is not -Infinity). */
export function bytesRatio(bytes: number, expected: number): number {
  return Math.log1p(bytes) - Math.log1p(expected);
}

export const noEpisode = (epoch = 0): Episode => ({ start: Number.NaN, above: 0, epoch, level: 0, grownTo: 0, grownAt: Number.NaN });

export interface EpisodeStep {
  next: Episode;
  /** The baseline must not learn from this window. */
  hold: boolean;
  /** The run stopped growing accept_after ago: the baseline re-levels now. */
  accepted: boolean;
  /** When accepted, for the final note: the run's start (ms), its level, ln(bytes / expected bytes), how long it has not grown. */
  run?: AcceptedRun;
  /** The run would have been accepted, but had settled at or below its expectation: it ends
   *  as back at baseline (no note, no re-level), and its detector restarts its evidence. */
  settledLow?: true;
}

/**
 * The episode after one judgement. `above` is how far above normal this judgement is, in
 * the detector's own units; the episode closes once its smoothed value falls under
 * `still` (back near normal). `ratio` is the window's ln(bytes / expected bytes), which
 * tells growth from a plateau (every window's, whatever the detector judges on). `judged`
 * false: nothing new to judge in this window (a detector judging longer blocks), so the
 * episode only carries on. `fit`: the detector's growth fit, kept in its own state at
 * `fitAt` and updated in place (the caller passes the copy it is building); null: none, the
 * mark alone tells growth.
 */
export function episodeStep(
  e: Episode,
  epoch: number,
  window: { start_ms: number; end_ms: number },
  alert: boolean,
  above: number,
  ratio: number,
  still: number,
  acceptAfterMs: number,
  judged = true,
  fit: Float64Array | null = null,
  fitAt = 0,
): EpisodeStep {
  const current = e.epoch === epoch ? e : noEpisode(epoch);
  if (Number.isNaN(current.start)) {
    if (!alert) return { next: current, hold: false, accepted: false };
    const level = Number.isFinite(ratio) ? ratio : 0;
    // The fit starts with the run's next window: the opening one sits high by selection.
    if (fit !== null) fitReset(fit, fitAt);
    return { next: { start: window.start_ms, above: Math.max(above, still), epoch, level, grownTo: level, grownAt: window.start_ms }, hold: true, accepted: false };
  }
  const smoothed = judged ? current.above + ABOVE_RATE * (above - current.above) : current.above;
  if (smoothed < still && !alert) {
    // Back near normal: the run ends, and its fit is emptied (no stale sums in the state).
    if (fit !== null) fitReset(fit, fitAt);
    return { next: noEpisode(epoch), hold: false, accepted: false };
  }
  // An episode written before growth was tracked (no grownAt): its level starts at this
  // window's ratio (not at 0, from which smoothing up would read as growth) and its start
  // stands in for its last growth.
  const restored = Number.isNaN(current.grownAt);
  // The window's place in the run. The run opened on a window that alerted, so sits high: the
  // level weighs the run's windows equally until its span is reached (the opening window 1/n),
  // and the growth mark follows the level over that first span, so that it is not set by the
  // opening window.
  const span = window.end_ms - window.start_ms;
  const n = Math.max(1, Math.round((window.end_ms - current.start) / span));
  const from = restored && Number.isFinite(ratio) ? ratio : current.level;
  const level = Number.isFinite(ratio) && !restored ? from + Math.max(1 / n, LEVEL_RATE) * (ratio - from) : from;
  let grownAt = restored ? current.start : current.grownAt;
  let grownTo = restored || n <= 1 / LEVEL_RATE ? level : current.grownTo;
  if (level > grownTo + GROWTH) {
    grownTo = level;
    grownAt = window.end_ms;
    if (fit !== null) fitReset(fit, fitAt);
  }
  if (fit !== null && Number.isFinite(ratio)) fitAdd(fit, fitAt, (window.end_ms - grownAt) / acceptAfterMs, ratio);
  // Level for accept_after, or for as long as it grew after it opened if that was longer
  // (capped); with a fit, also no longer rising by its line (a fit restored from before it
  // sets no bar), or level for the cap itself.
  const steadyMs = window.end_ms - grownAt;
  const levelByFit = fit === null || !mayStillRise(fit, fitAt) || steadyMs >= GROWTH_WAIT_CAP * acceptAfterMs;
  const due = levelByFit && steadyMs >= Math.max(acceptAfterMs, Math.min(grownAt - current.start, GROWTH_WAIT_CAP * acceptAfterMs));
  // A run that settled at or below its expectation has nothing to take in (the level never
  // moves down: give-back.ts acceptLevel): its traffic is back down, so it ends as back at
  // baseline, with no final note and no re-level (the epoch stays, and another detector's
  // run with it), its window not held; the detector restarts its evidence (settledLow), as
  // after an acceptance. A window that alerts meanwhile is no end: the run carries on.
  const settledLow = !(level > 0);
  if (due && !(settledLow && alert)) {
    if (fit !== null) fitReset(fit, fitAt);
    if (settledLow) return { next: noEpisode(epoch), hold: false, accepted: false, settledLow: true };
    return { next: noEpisode(epoch + 1), hold: true, accepted: true, run: { start: current.start, level, steadyMs } };
  }
  return { next: { start: current.start, above: smoothed, epoch, level, grownTo, grownAt }, hold: true, accepted: false };
}
