// SUSTAINED_INCREASE: a slow creep that no single window shows. A one-sided CUSUM
// (Page 1954) over the windows' standardised residuals of bytes and flows against the
// seasonal baseline: each window adds (z - k); the sum alerts past `threshold` once it
// has stayed positive for `min_windows` windows. z is clipped so one huge window cannot
// carry the sum alone (that is VOLUME_SPIKE's job), and the sum restarts after an alert.
import type { SustainedIncreaseSettings } from '../config/types.js';
import { formatBytes } from '../config/units.js';
import type { WindowContext, WindowDetector } from './detector.js';

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
}

const idle = (): CusumState => ({ sum: 0, run: 0, runBytes: 0, runExpected: 0, runFlows: 0, runStartMs: 0 });

/** The state after this window, and whether it alarms. Pure: scoring and learning share it. */
export function cusumNext(
  state: CusumState,
  ctx: WindowContext,
  settings: SustainedIncreaseSettings,
): { next: CusumState; alert: boolean } {
  const ready = ctx.learnedWindows >= ctx.warmupWindows && ctx.learnedHours >= CUSUM_MIN_HOURS;
  if (!ready) return { next: state, alert: false };
  const { residual, sigma, expectedBytes } = ctx.baseline;
  const z = (residual[0] / sigma[0] + residual[1] / sigma[1]) / 2;
  const clipped = Math.max(-CUSUM_CLIP, Math.min(CUSUM_CLIP, z));
  const sum = Math.max(0, state.sum + clipped - CUSUM_ALLOWANCE);
  if (sum === 0) return { next: idle(), alert: false };
  const next: CusumState = {
    sum,
    run: state.run + 1,
    runBytes: state.runBytes + ctx.window.bytes,
    runExpected: state.runExpected + expectedBytes,
    runFlows: state.runFlows + ctx.window.flows,
    runStartMs: state.run === 0 ? ctx.window.start_ms : state.runStartMs,
  };
  return { next, alert: sum > settings.threshold && next.run >= settings.min_windows };
}

export const sustainedIncrease: WindowDetector<'sustained_increase', CusumState> = {
  kind: 'window',
  type: 'SUSTAINED_INCREASE',
  key: 'sustained_increase',
  init: idle,
  toJSON: (s) => [s.sum, s.run, s.runBytes, s.runExpected, s.runFlows, s.runStartMs],
  fromJSON: (json) => {
    const [sum, run, runBytes, runExpected, runFlows, runStartMs] = json as number[];
    return { sum, run, runBytes, runExpected, runFlows, runStartMs };
  },
  scoreOne(state, ctx, settings) {
    const { next, alert } = cusumNext(state, ctx, settings);
    const ratio = next.runExpected > 0 ? next.runBytes / next.runExpected : 0;
    return {
      observed: next.runBytes,
      expected: next.runExpected,
      score: next.sum,
      threshold: settings.threshold,
      alert,
      // The alert covers the whole run above baseline, not only the window that tipped it.
      span: { start_ms: next.runStartMs, flow_count: next.runFlows, bytes: next.runBytes },
      // Worded only when it alerts: the hot path scores every window.
      reason: !alert ? '' :
        `Traffic to ${ctx.destination} has stayed above its baseline for ${next.run} windows: ` +
        `${formatBytes(next.runBytes)} sent against ${formatBytes(next.runExpected)} expected (${ratio.toFixed(2)}x; ` +
        `CUSUM ${next.sum.toFixed(2)} > ${settings.threshold}). ` +
        `Check for a new job or principal exporting to this destination and whether the growth was planned.`,
    };
  },
  learnOne(state, ctx, settings) {
    const { next, alert } = cusumNext(state, ctx, settings);
    // Page's CUSUM restarts after an alarm: a creep that goes on alarms again.
    Object.assign(state, alert ? idle() : next);
  },
};
