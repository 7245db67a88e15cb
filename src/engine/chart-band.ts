// `replay --scores` and the report's charts: one row per closed window and volume detector,
// and for VOLUME_SPIKE the baseline band of bytes, the seasonal expectation ± threshold
// standard deviations in log space, i.e. where a window differing in bytes alone would reach
// the VOLUME_SPIKE threshold. Only computed when someone listens for window scores.
import type { WindowContext } from '../detectors/detector.js';
import type { Finding } from '../detectors/detector.js';
import type { WindowScore } from './types.js';

export function bytesBand(b: WindowContext['baseline'], threshold: number): { expected_low: number; expected_high: number } {
  const mu = Math.log1p(b.expectedBytes);
  const spread = threshold * b.sigma[0];
  return { expected_low: Math.max(0, Math.expm1(mu - spread)), expected_high: Math.expm1(mu + spread) };
}

/** The score row of one window detector's verdict on one closed window. */
export function windowScore(detector: string, ctx: WindowContext, finding: Finding & { alert: boolean }): WindowScore {
  return {
    destination: ctx.destination,
    window_start_ms: ctx.window.start_ms,
    window_end_ms: ctx.window.end_ms,
    detector: detector as WindowScore['detector'],
    observed: finding.observed,
    expected: finding.expected,
    score: finding.score,
    threshold: finding.threshold,
    alerted: finding.alert,
    ...(detector === 'VOLUME_SPIKE' ? bytesBand(ctx.baseline, finding.threshold) : {}),
  };
}
