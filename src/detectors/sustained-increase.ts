// SUSTAINED_INCREASE: a slow creep that no single window shows. Judged on aggregates long
// enough for the per-window noise to average out: 10-minute and hourly blocks of windows
// (a block is never shorter than one window). At the end of each block, y = ln(bytes sent
// / bytes expected by the seasonal baseline) over the block, standardised by the spread of
// y learnt from that block length's normal blocks (winsorised, floored), feeds a one-sided
// CUSUM (Page 1954) per block length: each block adds (z - k), z clipped so one huge block
// cannot carry the sum alone (that is VOLUME_SPIKE's job). Bytes only: the feature
// exfiltration moves, so flat flow counts cannot dilute it. The sum alerts past `threshold`
// once it has been positive for `min_windows` windows, and restarts after an alert. After
// an alert, until traffic is back near the baseline, the baseline's level and spread are
// held (episode.ts); after `accept_after` the lasting change is accepted as the new normal.
import { formatBytes, formatDuration } from '../config/units.js';
import { addCapped } from '../engine/window.js';
import { duration, positiveNumber, wholeNumber } from '../values/fields.js';
import type { DetectorInfo, SettingsOf, WindowContext, WindowDetector } from './detector.js';
import { formatFlowRate, formatRatio } from './describe.js';
import { episodeStep, noEpisode, type Episode } from './baseline/episode.js';

// ---- What the config, check-config and the SIEM mappings read of SUSTAINED_INCREASE ----
const fields = { threshold: positiveNumber.default(5.0), min_windows: wholeNumber(1).default(10), accept_after: duration('positive').prefault('6h') };
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

/** Allowance k in standard deviations of a block: drift smaller than this is noise. */
export const CUSUM_ALLOWANCE = 1.0;
/**
 * Clip of one block's z: one block adds at most CUSUM_CLIP - k = 1 to the sum, so at least
 * `threshold` blocks of strong evidence are needed (50 minutes at the default 5 on
 * 10-minute blocks); a burst shorter than that is VOLUME_SPIKE's.
 */
export const CUSUM_CLIP = 2;
/** The creep is judged against a full day of seasonal profile, not a half-learnt one. */
export const CUSUM_MIN_HOURS = 24;
/** The block lengths the creep is judged on. */
export const BLOCK_MS = [600_000, 3_600_000] as const;
/** Spread of a block's log ratio before data says otherwise (log sd 0.5), and its weight in blocks. */
const PRIOR_BLOCK_VAR = 0.25;
const PRIOR_BLOCKS = 10;
/** Slowest learning of a block spread: about the last 50 blocks. */
const BLOCK_MIN_RATE = 1 / 50;
/** No block is trusted to be steadier than +-10% (log sd 0.1). */
const MIN_BLOCK_VAR = 0.1 * 0.1;
/** A block's ratio is winsorised here (in sd) before the spread learns from it. */
const CLIP_SIGMA = 2.5;

/** One block length's running block and CUSUM. */
export interface BlockCusum {
  /** The block being summed (its index in block lengths since the epoch); -1 none. */
  block: number;
  bytes: number;
  expected: number;
  /** The CUSUM and the spread of y learnt from normal blocks. */
  sum: number;
  variance: number;
  learnt: number;
}

export interface CusumState {
  blocks: BlockCusum[];
  /** Consecutive windows some block sum has been positive. */
  run: number;
  /** Bytes sent and expected over the run, for the alert's evidence. */
  runBytes: number;
  runExpected: number;
  runFlows: number;
  runStartMs: number;
  /** Flows expected over the run, for the reason's flows/min. */
  runExpectedFlows: number;
  episode: Episode;
}

const idleBlock = (): BlockCusum => ({ block: -1, bytes: 0, expected: 0, sum: 0, variance: PRIOR_BLOCK_VAR, learnt: 0 });
const idle = (): CusumState => ({
  blocks: BLOCK_MS.map(idleBlock), run: 0, runBytes: 0, runExpected: 0, runFlows: 0, runStartMs: 0, runExpectedFlows: 0, episode: noEpisode(),
});

/** Windows per block of `blockMs`: at least one. */
function windowsPerBlock(blockMs: number, size: number): number {
  return Math.max(1, Math.round(blockMs / size));
}

/** Adds this window to a block length's running block; judges the block when the window ends it. */
function addToBlock(b: BlockCusum, blockMs: number, ctx: WindowContext, frozen: boolean): { next: BlockCusum; z: number } {
  const { window, baseline } = ctx;
  const size = window.end_ms - window.start_ms;
  const length = windowsPerBlock(blockMs, size) * size;
  const index = Math.floor(window.start_ms / length);
  // A block left unfinished (the destination went quiet) is dropped: it was never judged whole.
  const current = b.block === index ? b : { ...b, block: index, bytes: 0, expected: 0 };
  // Each window counts at most CLIP_SIGMA of the window spread above its expectation: a
  // creep moves every window a little, one spike only one window (VOLUME_SPIKE's job).
  const cap = Math.expm1(Math.log1p(baseline.expectedBytes) + CLIP_SIGMA * baseline.sigma[0]);
  const next = { ...current, bytes: current.bytes + Math.min(window.bytes, cap), expected: current.expected + baseline.expectedBytes };
  if (window.end_ms % length !== 0) return { next, z: Number.NaN };
  const y = Math.log1p(next.bytes) - Math.log1p(next.expected);
  const sd = Math.sqrt(Math.max(MIN_BLOCK_VAR, next.variance));
  const z = y / sd;
  const clipped = Math.max(-CUSUM_CLIP, Math.min(CUSUM_CLIP, z));
  next.sum = Math.max(0, next.sum + clipped - CUSUM_ALLOWANCE);
  if (!frozen) {
    // Learnt from blocks judged normal only: a winsorised ratio, never while a run is held.
    const w = Math.max(-CLIP_SIGMA * sd, Math.min(CLIP_SIGMA * sd, y));
    const rate = Math.max(1 / (next.learnt + 1 + PRIOR_BLOCKS), BLOCK_MIN_RATE);
    next.variance += rate * (w * w - next.variance);
    next.learnt += 1;
  }
  next.block = -1;
  next.bytes = next.expected = 0;
  return { next, z };
}

/** The state after this window, and whether it alarms. Pure: scoring and learning share it. */
export function cusumNext(
  state: CusumState,
  ctx: WindowContext,
  settings: SustainedIncreaseSettings,
): { next: CusumState; alert: boolean; hold: boolean; accepted: boolean } {
  const ready = ctx.learnedWindows >= ctx.warmupWindows && ctx.learnedHours >= CUSUM_MIN_HOURS;
  if (!ready) return { next: state, alert: false, hold: false, accepted: false };
  const epoch = ctx.baseline.epoch;
  // A re-level (this detector's or another's) restarts the sums against the new level.
  const fresh = state.episode.epoch !== epoch;
  const wasHolding = !Number.isNaN(state.episode.start) && !fresh;
  let judged = false;
  let above = 0;
  let sum = 0;
  const blocks = state.blocks.map((b, i) => {
    const { next, z } = addToBlock(fresh ? { ...b, sum: 0 } : b, BLOCK_MS[i], ctx, wasHolding);
    if (!Number.isNaN(z)) {
      judged = true;
      above = Math.max(above, z);
    }
    sum = Math.max(sum, next.sum);
    return next;
  });
  const { expectedBytes, expectedFlows } = ctx.baseline;
  const positive = sum > 0;
  const run = positive ? state.run + 1 : 0;
  const next: CusumState = {
    blocks,
    run,
    runBytes: positive ? addCapped(state.run === 0 ? 0 : state.runBytes, ctx.window.bytes) : 0,
    runExpected: positive ? (state.run === 0 ? 0 : state.runExpected) + expectedBytes : 0,
    runFlows: positive ? addCapped(state.run === 0 ? 0 : state.runFlows, ctx.window.flows) : 0,
    runStartMs: positive ? (state.run === 0 ? ctx.window.start_ms : state.runStartMs) : 0,
    runExpectedFlows: positive ? (state.run === 0 ? 0 : state.runExpectedFlows) + expectedFlows : 0,
    episode: state.episode,
  };
  const alert = sum > settings.threshold && run >= settings.min_windows;
  const step = episodeStep(state.episode, epoch, ctx.window, alert, above, CUSUM_ALLOWANCE, settings.accept_after, judged);
  next.episode = step.next;
  return { next, alert: alert || step.accepted, hold: step.hold, accepted: step.accepted };
}

/** After an alarm Page's CUSUM restarts (a creep that goes on alarms again); the spreads and the episode stay. */
function restarted(s: CusumState): CusumState {
  return { ...idle(), blocks: s.blocks.map((b) => ({ ...b, sum: 0 })), episode: s.episode };
}

export const sustainedIncrease: WindowDetector<'sustained_increase', CusumState> = {
  kind: 'window',
  type: 'SUSTAINED_INCREASE',
  key: 'sustained_increase',
  ...sustainedIncreaseInfo,
  init: idle,
  toJSON: (s) => [
    s.run, s.runBytes, s.runExpected, s.runFlows, s.runStartMs, s.runExpectedFlows,
    s.episode.start, s.episode.above, s.episode.epoch,
    ...s.blocks.flatMap((b) => [b.block, b.bytes, b.expected, b.sum, b.variance, b.learnt]),
  ],
  fromJSON: (json) => {
    const a = json as number[];
    // State of the single-window CUSUM (6 or 7 numbers, before block sums): its run is
    // not carried over; the block spreads start from their prior.
    if (a.length <= 7) return idle();
    const blocks = BLOCK_MS.map((_, i) => {
      const [block, bytes, expected, sum, variance, learnt] = a.slice(9 + 6 * i, 15 + 6 * i);
      return { block, bytes, expected, sum, variance, learnt };
    });
    return {
      blocks, run: a[0], runBytes: a[1], runExpected: a[2], runFlows: a[3], runStartMs: a[4], runExpectedFlows: a[5],
      episode: { start: a[6] ?? Number.NaN, above: a[7], epoch: a[8] },
    };
  },
  scoreOne(state, ctx, settings) {
    const { next, alert, hold, accepted } = cusumNext(state, ctx, settings);
    const sum = Math.max(...next.blocks.map((b) => b.sum));
    return {
      observed: next.runBytes,
      expected: next.runExpected,
      score: sum,
      threshold: settings.threshold,
      alert,
      // The alert covers the whole run above baseline, not only the window that tipped it.
      span: { start_ms: next.run > 0 ? next.runStartMs : ctx.window.start_ms, flow_count: next.runFlows, bytes: next.runBytes },
      // Worded only when it alerts: the hot path scores every window.
      reason: !alert ? '' : creepReason(ctx, next, sum, settings.threshold, accepted),
      hold,
      ...(accepted ? { accepted: true } : {}),
    };
  },
  learnOne(state, ctx, settings) {
    const { next, alert } = cusumNext(state, ctx, settings);
    Object.assign(state, alert ? restarted(next) : next);
  },
};

function creepReason(ctx: WindowContext, run: CusumState, sum: number, threshold: number, accepted: boolean): string {
  const span = Math.max(1, run.run) * (ctx.window.end_ms - ctx.window.start_ms);
  return (
    `Volume baseline of ${ctx.destination} (detectors.sustained_increase): ${formatBytes(run.runBytes)} and ` +
    `${formatFlowRate(run.runFlows, span)} sent over ${run.run} windows (${formatDuration(span)}) against ` +
    `${formatBytes(run.runExpected)} and ${formatFlowRate(run.runExpectedFlows, span)} expected ` +
    `(${formatRatio(run.runBytes, run.runExpected, 2)}); CUSUM ${sum.toFixed(2)} > threshold ${threshold}. ` +
    (accepted
      ? 'The increase has lasted detectors.sustained_increase.accept_after: it is now accepted as the new normal baseline.'
      : `Check for a new job or principal exporting to ${ctx.destination} and whether the growth was planned.`)
  );
}
