// VOLUME_SPIKE: a window whose bytes sent, flows, packets and sources together sit far
// from the destination's seasonal baseline (Mahalanobis distance on log features, a count
// of flows or sources below its expectation read as at it), or
// whose bytes, with the previous window's, pass the destination's deep and run tails (a
// burst that lasts, on a destination whose single big windows are routine), with more
// bytes than expected and at least `min_bytes`. It reads the shared baseline
// that the engine keeps per destination; its own state is its open run (episode.ts):
// while traffic stays above the baseline after an alert the baseline's level and spread do not learn from it,
// and after `accept_after` the lasting change is accepted as the new normal. The
// destination's learnt daily job at its usual time and size (baseline/daily-job.ts) is routine.
import { duration, positiveNumber, size } from '../values/fields.js';
import { exactBytes, formatBytes, formatDuration } from '../values/units.js';
import type { DetectorInfo, SettingsOf, WindowContext, WindowDetector } from './detector.js';
import { acceptanceRule, acceptanceSentence, formatFlowRate, formatRatio } from './describe.js';
import type { BaselineVerdict, WindowObservation } from './baseline/seasonal-baseline.js';
import { bytesRatio, episodeStep, noEpisode, type AcceptedRun, type Episode, type EpisodeStep } from './baseline/episode.js';

// ---- What the config, check-config and the SIEM mappings read of VOLUME_SPIKE ----
const fields = { threshold: positiveNumber.default(6.0), min_bytes: size().prefault('1MB'), accept_after: duration('positive').prefault('1h') };
export type VolumeSpikeSettings = SettingsOf<typeof fields>;
declare module './detector.js' {
  interface DetectorSettingsMap {
    volume_spike: VolumeSpikeSettings;
  }
}
const volumeSpikeInfo: Omit<DetectorInfo<'volume_spike'>, 'type' | 'key'> = {
  settings: { severity: 'HIGH', fields },
  explain: (s) =>
    `a window scores above ${s.threshold} against its destination's baseline, or its bytes and the previous window's both pass the level its own tail puts at 1 window in 3,000 and a margin over the highest two windows in a row reached before (slowly forgotten), with at least ${exactBytes(s.min_bytes)}; ${acceptanceRule(s.accept_after)}`,
  siem: { title: 'Bytes sent to a destination spiked above its baseline', category: 'volume baseline', analyticTypeId: 3, analyticType: 'Statistical' },
};
// ---- end ----

/** The run stays open while the smoothed score (upward windows) stays above this share of the threshold. */
const STILL_ABOVE = 1 / 3;

/**
 * The window's score: its spike distance (flows and sources below their expectation read as
 * at it), or, where it and the previous window pass the bytes' deep
 * and run tails (baseline.runRatio), that ratio on the threshold's scale, if higher. So a score
 * above the threshold is an alert either way, and the run's reading keeps it open as a distance would.
 */
function spikeScore(baseline: BaselineVerdict, settings: VolumeSpikeSettings): number {
  return Math.max(baseline.spikeDistance, settings.threshold * baseline.runRatio);
}

function spikeStep(state: Episode, { window, baseline, learnedWindows, warmupWindows }: WindowContext, settings: VolumeSpikeSettings): EpisodeStep & { alert: boolean } {
  const score = spikeScore(baseline, settings);
  const upward = window.bytes > baseline.expectedBytes;
  // The destination's daily job at its usual time and size is routine (daily-job.ts).
  const alert = learnedWindows >= warmupWindows && upward && window.bytes >= settings.min_bytes && score > settings.threshold && !baseline.dailyJob;
  // The usual window: no run open, none opening. Nothing changes and nothing is allocated
  // (every window of every destination passes here twice, scored then learnt).
  if (!alert && Number.isNaN(state.start) && state.epoch === baseline.epoch) {
    quietStep.next = state;
    return quietStep;
  }
  const above = upward ? score / settings.threshold : 0;
  const ratio = bytesRatio(window.bytes, baseline.expectedBytes);
  return { ...episodeStep(state, baseline.epoch, window, alert, above, ratio, STILL_ABOVE, settings.accept_after), alert };
}

/** The step of a window with no run open and none opening (its `next` is the state itself). */
const quietStep: EpisodeStep & { alert: boolean } = { next: noEpisode(), hold: false, accepted: false, alert: false };

export const volumeSpike: WindowDetector<'volume_spike', Episode> = {
  kind: 'window',
  type: 'VOLUME_SPIKE',
  key: 'volume_spike',
  ...volumeSpikeInfo,
  init: () => noEpisode(),
  toJSON: (e) => [e.start, e.above, e.epoch, e.level, e.grownTo, e.grownAt],
  // Absent (state written when the detector kept none): no run open. Three numbers: written
  // before growth was tracked (the run's start stands in for its last growth).
  fromJSON: (json) =>
    Array.isArray(json)
      ? { start: json[0] ?? Number.NaN, above: json[1], epoch: json[2], level: json[3] ?? 0, grownTo: json[4] ?? 0, grownAt: json[5] ?? Number.NaN }
      : noEpisode(),
  scoreOne(state, ctx, settings) {
    const { destination, window, baseline } = ctx;
    const score = spikeScore(baseline, settings);
    const expected = baseline.expectedBytes;
    const step = spikeStep(state, ctx, settings);
    // The window that accepts a lasting change says so (the run's final note).
    const alert = step.alert || step.accepted;
    return {
      observed: window.bytes,
      expected,
      score,
      threshold: settings.threshold,
      alert,
      // Worded only when it alerts: the hot path scores every window.
      reason: !alert ? '' : spikeReason(destination, window, baseline, score, settings, step.run),
      hold: step.hold,
      ...(step.accepted ? { accepted: true } : {}),
    };
  },
  learnOne(state, ctx, settings) {
    Object.assign(state, spikeStep(state, ctx, settings).next);
  },
  endRun(state) {
    Object.assign(state, noEpisode(state.epoch));
  },
};

/** `accepted`: the run this window accepts as the new normal (its final note), else an alert. */
function spikeReason(
  destination: string,
  w: WindowObservation,
  baseline: BaselineVerdict,
  score: number,
  settings: VolumeSpikeSettings,
  accepted: AcceptedRun | undefined,
): string {
  const size = w.end_ms - w.start_ms;
  const figures =
    `Volume baseline of ${destination} (detectors.volume_spike): ${formatBytes(w.bytes)} and ${formatFlowRate(w.flows, size)} ` +
    `sent in one ${formatDuration(size)} window against ${formatBytes(baseline.expectedBytes)} and ` +
    `${formatFlowRate(baseline.expectedFlows, size)} expected (${formatRatio(w.bytes, baseline.expectedBytes, 1)}); `;
  if (accepted !== undefined) {
    // A window that accepts a run need not score above the threshold itself.
    return `${figures}Mahalanobis distance ${baseline.spikeDistance.toFixed(2)} (threshold ${settings.threshold}). ${acceptanceSentence('volume_spike', accepted, settings.accept_after)}`;
  }
  const judged =
    baseline.spikeDistance > settings.threshold
      ? `Mahalanobis distance ${baseline.spikeDistance.toFixed(2)} > threshold ${settings.threshold}. `
      : `bytes ${(baseline.residual[0] / baseline.sigma[0]).toFixed(2)} sd above expectation in this window and ${baseline.previousBytesZ.toFixed(2)} in its previous window with traffic, ` +
        `both past ${baseline.rareLevel.toFixed(2)} sd, where its own tail puts 1 window in 3,000, and past ${baseline.runRecord.toFixed(2)} sd ` +
        `(a margin over the highest two windows in a row reached before, slowly forgotten); score ${score.toFixed(2)} > threshold ${settings.threshold} ` +
        `(Mahalanobis distance ${baseline.spikeDistance.toFixed(2)}): a burst that lasts, not one big transfer. `;
  return (
    `${figures}${judged}` +
    `Identify the ${w.sources === 1 ? 'source' : `${w.sources} sources`} and the principals behind the burst and confirm it was an approved transfer.`
  );
}
