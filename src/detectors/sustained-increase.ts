// SUSTAINED_INCREASE: a slow creep that no single window shows. A one-sided CUSUM
// (Page 1954) over the windows' standardised residuals of bytes and flows against the
// seasonal baseline: each window adds (z - k); the sum alerts past `threshold` once it
// has stayed positive for `min_windows` windows. z is clipped so one huge window cannot
// carry the sum alone (that is VOLUME_SPIKE's job), and the sum restarts after an alert.
import { formatBytes, formatDuration } from '../config/units.js';
import { addCapped } from '../engine/window.js';
import type { WindowContext, WindowDetector } from './detector.js';
import { positiveNumber, wholeNumber } from '../values/fields.js';
import type { DetectorInfo, SettingsOf } from './detector.js';
import { formatFlowRate, formatRatio } from './describe.js';

// ---- What the config, check-config and the SIEM mappings read of SUSTAINED_INCREASE ----
const fields = { threshold: positiveNumber.default(5.0), min_windows: wholeNumber(1).default(10) };
export type SustainedIncreaseSettings = SettingsOf<typeof fields>;
declare module './detector.js' {
  interface DetectorSettingsMap {
    sustained_increase: SustainedIncreaseSettings;
  }
}
const sustainedIncreaseInfo: Omit<DetectorInfo<'sustained_increase'>, 'type' | 'key'> = {
  settings: { severity: 'MEDIUM', fields },
  explain: (s) => `the volume stays above the baseline with a score beyond ${s.threshold} for at least ${s.min_windows} windows in a row`,
  siem: { title: 'Bytes sent to a destination stayed above its baseline', category: 'volume baseline', analyticTypeId: 3, analyticType: 'Statistical' },
};
// ---- end ----

/** Allowance k in standard deviations: drift smaller than this is noise. */
export const CUSUM_ALLOWANCE = 1.0;
/** Clip of one window's contribution, in standard deviations. */
export const CUSUM_CLIP = 3;
/** The creep is judged against a full day of seasonal profile, not a half-learnt one. */
export const CUSUM_MIN_HOURS = 24;

export interface CusumState {
  sum: number;
  /** Consecutive windows the sum has been positive. */
  run: number;
  /** Bytes sent and expected over the run, for the alert's evidence. */
  runBytes: number;
  runExpected: number;
  runFlows: number;
  runStartMs: number;
  /** Flows expected over the run, for the reason's flows/min. */
  runExpectedFlows: number;
}

const idle = (): CusumState => ({ sum: 0, run: 0, runBytes: 0, runExpected: 0, runFlows: 0, runStartMs: 0, runExpectedFlows: 0 });

/** The state after this window, and whether it alarms. Pure: scoring and learning share it. */
export function cusumNext(
  state: CusumState,
  ctx: WindowContext,
  settings: SustainedIncreaseSettings,
): { next: CusumState; alert: boolean } {
  const ready = ctx.learnedWindows >= ctx.warmupWindows && ctx.learnedHours >= CUSUM_MIN_HOURS;
  if (!ready) return { next: state, alert: false };
  const { residual, sigma, expectedBytes, expectedFlows } = ctx.baseline;
  const z = (residual[0] / sigma[0] + residual[1] / sigma[1]) / 2;
  const clipped = Math.max(-CUSUM_CLIP, Math.min(CUSUM_CLIP, z));
  const sum = Math.max(0, state.sum + clipped - CUSUM_ALLOWANCE);
  if (sum === 0) return { next: idle(), alert: false };
  const next: CusumState = {
    sum,
    run: state.run + 1,
    runBytes: addCapped(state.runBytes, ctx.window.bytes),
    runExpected: state.runExpected + expectedBytes,
    runFlows: addCapped(state.runFlows, ctx.window.flows),
    runStartMs: state.run === 0 ? ctx.window.start_ms : state.runStartMs,
    runExpectedFlows: state.runExpectedFlows + expectedFlows,
  };
  return { next, alert: sum > settings.threshold && next.run >= settings.min_windows };
}

export const sustainedIncrease: WindowDetector<'sustained_increase', CusumState> = {
  kind: 'window',
  type: 'SUSTAINED_INCREASE',
  key: 'sustained_increase',
  ...sustainedIncreaseInfo,
  init: idle,
  toJSON: (s) => [s.sum, s.run, s.runBytes, s.runExpected, s.runFlows, s.runStartMs, s.runExpectedFlows],
  fromJSON: (json) => {
    const [sum, run, runBytes, runExpected, runFlows, runStartMs, runExpectedFlows] = json as number[];
    // State written before runExpectedFlows existed: estimate it from the bytes expectation
    // (it only words the reason of a run that was in progress at the upgrade).
    const expectedFlows = runExpectedFlows ?? (runBytes > 0 ? (runFlows * runExpected) / runBytes : 0);
    return { sum, run, runBytes, runExpected, runFlows, runStartMs, runExpectedFlows: expectedFlows };
  },
  scoreOne(state, ctx, settings) {
    const { next, alert } = cusumNext(state, ctx, settings);
    return {
      observed: next.runBytes,
      expected: next.runExpected,
      score: next.sum,
      threshold: settings.threshold,
      alert,
      // The alert covers the whole run above baseline, not only the window that tipped it.
      span: { start_ms: next.runStartMs, flow_count: next.runFlows, bytes: next.runBytes },
      // Worded only when it alerts: the hot path scores every window.
      reason: !alert ? '' : creepReason(ctx, next, settings.threshold),
    };
  },
  learnOne(state, ctx, settings) {
    const { next, alert } = cusumNext(state, ctx, settings);
    // Page's CUSUM restarts after an alarm: a creep that goes on alarms again.
    Object.assign(state, alert ? idle() : next);
  },
};

function creepReason(ctx: WindowContext, run: CusumState, threshold: number): string {
  const span = run.run * (ctx.window.end_ms - ctx.window.start_ms);
  return (
    `Volume baseline of ${ctx.destination} (detectors.sustained_increase): ${formatBytes(run.runBytes)} and ` +
    `${formatFlowRate(run.runFlows, span)} sent over ${run.run} windows (${formatDuration(span)}) against ` +
    `${formatBytes(run.runExpected)} and ${formatFlowRate(run.runExpectedFlows, span)} expected ` +
    `(${formatRatio(run.runBytes, run.runExpected, 2)}); CUSUM ${run.sum.toFixed(2)} > threshold ${threshold}. ` +
    `Check for a new job or principal exporting to ${ctx.destination} and whether the growth was planned.`
  );
}
