// VOLUME_SPIKE: a window whose bytes sent, flows, packets and sources together sit far
// from the destination's seasonal baseline (Mahalanobis distance on log features),
// with more bytes than expected and at least `min_bytes`. Stateless: it reads the
// shared baseline that the engine keeps per destination.
import { formatBytes, formatDuration } from '../config/units.js';
import { STATELESS, type WindowDetector } from './detector.js';
import { positiveNumber, size } from '../values/fields.js';
import { exactBytes } from '../values/units.js';
import type { DetectorInfo, SettingsOf } from './detector.js';
import { formatFlowRate, formatRatio } from './describe.js';
import type { BaselineVerdict, WindowObservation } from './baseline/seasonal-baseline.js';

// ---- What the config, check-config and the SIEM mappings read of VOLUME_SPIKE ----
const fields = { threshold: positiveNumber.default(6.0), min_bytes: size().prefault('1MB') };
export type VolumeSpikeSettings = SettingsOf<typeof fields>;
declare module './detector.js' {
  interface DetectorSettingsMap {
    volume_spike: VolumeSpikeSettings;
  }
}
const volumeSpikeInfo: Omit<DetectorInfo<'volume_spike'>, 'type' | 'key'> = {
  settings: { severity: 'HIGH', fields },
  explain: (s) => `a window scores above ${s.threshold} against its destination's baseline with at least ${exactBytes(s.min_bytes)}`,
  siem: { title: 'Bytes sent to a destination spiked above its baseline', category: 'volume baseline', analyticTypeId: 3, analyticType: 'Statistical' },
};
// ---- end ----

export const volumeSpike: WindowDetector<'volume_spike', undefined> = {
  kind: 'window',
  type: 'VOLUME_SPIKE',
  key: 'volume_spike',
  ...volumeSpikeInfo,
  ...STATELESS,
  scoreOne(_state, { destination, window, baseline, learnedWindows, warmupWindows }, settings) {
    const score = baseline.distance;
    const expected = baseline.expectedBytes;
    const upward = window.bytes > expected;
    const alert =
      learnedWindows >= warmupWindows && upward && window.bytes >= settings.min_bytes && score > settings.threshold;
    return {
      observed: window.bytes,
      expected,
      score,
      threshold: settings.threshold,
      alert,
      // Worded only when it alerts: the hot path scores every window.
      reason: !alert ? '' : spikeReason(destination, window, baseline, score, settings.threshold),
    };
  },
  learnOne: () => {},
};

function spikeReason(destination: string, w: WindowObservation, baseline: BaselineVerdict, score: number, threshold: number): string {
  const size = w.end_ms - w.start_ms;
  return (
    `Volume baseline of ${destination} (detectors.volume_spike): ${formatBytes(w.bytes)} and ${formatFlowRate(w.flows, size)} ` +
    `sent in one ${formatDuration(size)} window against ${formatBytes(baseline.expectedBytes)} and ` +
    `${formatFlowRate(baseline.expectedFlows, size)} expected (${formatRatio(w.bytes, baseline.expectedBytes, 1)}); ` +
    `Mahalanobis distance ${score.toFixed(2)} > threshold ${threshold}. ` +
    `Identify the ${w.sources === 1 ? 'source' : `${w.sources} sources`} and the principals behind the burst and confirm it was an approved transfer.`
  );
}
