// VOLUME_SPIKE: a window whose bytes sent, flows, packets and sources together sit far
// from the destination's seasonal baseline (Mahalanobis distance on log features),
// with more bytes than expected and at least `min_bytes`. Stateless: it reads the
// shared baseline that the engine keeps per destination.
import { formatBytes } from '../config/units.js';
import { STATELESS, type WindowDetector } from './detector.js';

export const volumeSpike: WindowDetector<'volume_spike', undefined> = {
  kind: 'window',
  type: 'VOLUME_SPIKE',
  key: 'volume_spike',
  ...STATELESS,
  scoreOne(_state, { destination, window, baseline, learnedWindows, warmupWindows }, settings) {
    const score = baseline.distance;
    const expected = baseline.expectedBytes;
    const upward = window.bytes > expected;
    const alert =
      learnedWindows >= warmupWindows && upward && window.bytes >= settings.min_bytes && score > settings.threshold;
    const ratio = expected > 0 ? window.bytes / expected : Infinity;
    return {
      observed: window.bytes,
      expected,
      score,
      threshold: settings.threshold,
      alert,
      // Worded only when it alerts: the hot path scores every window.
      reason: !alert ? '' :
        `${formatBytes(window.bytes)} sent to ${destination} in one window, ${ratio.toFixed(1)}x the expected ` +
        `${formatBytes(expected)} (${window.flows} flows, ${window.sources} sources; score ${score.toFixed(2)} > ${settings.threshold}). ` +
        `Identify the sources and principals behind the burst and confirm it was an approved transfer.`,
    };
  },
  learnOne: () => {},
};
