// One volume detector's open run ("episode"): from its first alert until traffic is back
// near the baseline. While it is open the detector holds its windows, so the shared
// baseline learns nothing from them (the anomaly cannot teach it); once it has lasted the
// detector's accept_after it is accepted: the baseline re-levels to where traffic now is
// (acceptLevel) and the episode ends. A re-level by any detector (the baseline's epoch
// changes) ends every detector's episode, since they were judged against the old level.

export interface Episode {
  /** Start (ms) of the window that opened it; NaN: no episode open. */
  start: number;
  /** How far above normal traffic has recently been (smoothed, in the detector's units). */
  above: number;
  /** The baseline epoch it was judged in. */
  epoch: number;
}

/** The smoothing of `above`: about the last four judgements count. */
const ABOVE_RATE = 0.25;

export const noEpisode = (epoch = 0): Episode => ({ start: Number.NaN, above: 0, epoch });

export interface EpisodeStep {
  next: Episode;
  /** The baseline must not learn from this window. */
  hold: boolean;
  /** The run outlasted accept_after: the baseline re-levels now. */
  accepted: boolean;
}

/**
 * The episode after one judgement. `above` is how far above normal this judgement is, in
 * the detector's own units; the episode closes once its smoothed value falls under
 * `still` (back near normal). `judged` false: nothing new to judge in this window (a
 * detector judging longer blocks), so the episode only carries on.
 */
export function episodeStep(
  e: Episode,
  epoch: number,
  window: { start_ms: number; end_ms: number },
  alert: boolean,
  above: number,
  still: number,
  acceptAfterMs: number,
  judged = true,
): EpisodeStep {
  const current = e.epoch === epoch ? e : noEpisode(epoch);
  if (Number.isNaN(current.start)) {
    if (!alert) return { next: current, hold: false, accepted: false };
    return { next: { start: window.start_ms, above: Math.max(above, still), epoch }, hold: true, accepted: false };
  }
  const smoothed = judged ? current.above + ABOVE_RATE * (above - current.above) : current.above;
  if (smoothed < still && !alert) return { next: noEpisode(epoch), hold: false, accepted: false };
  if (window.end_ms - current.start >= acceptAfterMs) return { next: noEpisode(epoch + 1), hold: true, accepted: true };
  return { next: { start: current.start, above: smoothed, epoch }, hold: true, accepted: false };
}
