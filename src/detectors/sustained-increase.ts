// SUSTAINED_INCREASE: a slow creep that no single window shows. Judged on aggregates long
// enough for the per-window noise to average out: 10-minute blocks of windows (a block is
// never shorter than one window). At the end of each block, y = ln(bytes sent / bytes
// expected by the seasonal baseline) over the block, less its usual value and standardised
// by its spread, both learnt from normal blocks (winsorised, floored), feeds a one-sided
// CUSUM (Page 1954): each block adds (z - k), z clipped so one huge block
// cannot carry the sum alone (that is VOLUME_SPIKE's job). Bytes only: the feature
// exfiltration moves, so flat flow counts cannot dilute it. Where the baseline expects less
// than a flow a window (a sparse night), growth is more windows with traffic rather than
// bigger ones: a block is then also read at rate, its bytes against what all its windows,
// the empty ones too, are expected to carry. The sum alerts past `threshold`
// once it has been positive for `min_windows` windows, and restarts after an alert. After
// an alert, until traffic is back near the baseline, the baseline's level and spread are
// held (episode.ts); after `accept_after` the lasting change is accepted as the new normal.
import { addCapped } from '../values/counts.js';
import { formatBytes, formatDuration } from '../values/units.js';
import { duration, positiveNumber, wholeNumber } from '../values/fields.js';
import type { DetectorInfo, SettingsOf, WindowContext, WindowDetector } from './detector.js';
import { acceptanceRule, acceptanceSentence, formatFlowRate, formatRatio } from './describe.js';
import { bytesRatio, episodeStep, noEpisode, type AcceptedRun, type Episode } from './baseline/episode.js';
import { fitUnknown, GROWTH_FIT_FIELDS } from './baseline/growth-fit.js';

// ---- What the config, check-config and the SIEM mappings read of SUSTAINED_INCREASE ----
const fields = {
  threshold: positiveNumber.default(5.0),
  min_windows: wholeNumber(1).default(10),
  accept_after: duration('positive').prefault('1h'),
  min_history: duration('zero').prefault('7d'),
};
export type SustainedIncreaseSettings = SettingsOf<typeof fields>;
declare module './detector.js' {
  interface DetectorSettingsMap {
    sustained_increase: SustainedIncreaseSettings;
  }
}
const sustainedIncreaseInfo: Omit<DetectorInfo<'sustained_increase'>, 'type' | 'key'> = {
  settings: { severity: 'MEDIUM', fields },
  explain: (s) =>
    `the volume stays above the baseline with a score beyond ${s.threshold} for at least ${s.min_windows} windows in a row, ` +
    `judged after a day (a weekday once a weekday has been seen), or after ${formatDuration(s.min_history)} for a destination whose days differ by more than half; ` +
    acceptanceRule(s.accept_after),
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
/**
 * Days whose mean bytes differ by more than this (ln 1.5: by half) show a day-to-day rhythm
 * (a weekend) that only a whole week teaches: creeps then wait for min_history. Days of
 * traffic without a weekly rhythm sit within about ln 1.2 of each other.
 */
export const DAILY_RHYTHM = Math.log(1.5);
/**
 * The block lengths the creep is judged on, each with a CUSUM of its own (the state keeps a
 * block's fields per length). One: hourly blocks beside the 10-minute ones found no creep,
 * step or NAB window the 10-minute blocks missed, and added runs of no incident
 * (docs/detection-volume.md, "One block length").
 */
export const BLOCK_MS = [600_000] as const;
/** Spread of a block's log ratio before data says otherwise (log sd 0.5), and its weight in blocks. */
const PRIOR_BLOCK_VAR = 0.25;
const PRIOR_BLOCKS = 10;
/** Slowest learning of a block spread: about the last 50 blocks. */
const BLOCK_MIN_RATE = 1 / 50;
/** Slowest learning of a block's usual ratio: about the last 500 blocks. */
const BLOCK_MEAN_MIN_RATE = 1 / 500;
/** No block is trusted to be steadier than +-20% (log sd 0.2): busy days run that far above the profile for hours. */
const MIN_BLOCK_VAR = 0.2 * 0.2;
/** A block's ratio is winsorised here (in sd) before the spread learns from it. */
const CLIP_SIGMA = 2.5;
/**
 * A window counts into a block sum at most this many window sd above its expectation:
 * heavy-tailed flow sizes make single windows swing far, a creep moves them all a little.
 */
const WINDOW_CAP_SIGMA = 1.5;

/**
 * The detector's state in one Float64Array (compact: the 2 KB per destination budget;
 * trivially serialisable): the run's evidence, the episode, then per block length its
 * running block, CUSUM and learnt spread.
 */
export type CusumState = Float64Array;
const RUN = 0; // consecutive windows some block sum has been positive
const RUN_BYTES = 1; // bytes sent and expected over the run, for the alert's evidence
const RUN_EXPECTED = 2;
const RUN_FLOWS = 3;
const RUN_START = 4;
const RUN_EXPECTED_FLOWS = 5;
const EPISODE = 6; // start, above, epoch, level, grownTo, grownAt (episode.ts)
const EPISODE_FIELDS = 6;
const BLOCKS = EPISODE + EPISODE_FIELDS;
// Per block length, from BLOCKS + BLOCK_FIELDS * i:
const BLOCK = 0; // the block being summed (index in block lengths since the epoch); -1 none
const BYTES = 1;
const EXPECTED = 2;
const SUM = 3; // the CUSUM
const VARIANCE = 4; // spread of y learnt from normal blocks
const LEARNT = 5;
const MEAN = 6; // usual y of normal blocks (a sum of windows is not a sum of their medians)
// The block's rate reading (rateExpected below): the bytes its windows are expected to carry,
// the windows without traffic of a sparse destination included (any window size).
const RATE_EXPECTED = 7;
const LAST_END = 8; // end of the block's last window with traffic (ms); NaN none
const EMPTY_EXPECTED = 9; // what a window without traffic after that window is expected to carry (0 unless sparse)
const BLOCK_FIELDS = 10;
/** The layout before the rate reading (3 numbers less per block length), of two block lengths (10 minutes, an hour). */
const BLOCK_FIELDS_V1 = 7;
const STATE_LENGTH_V1 = BLOCKS + BLOCK_FIELDS_V1 * 2;
/** The layout while hourly blocks were judged too (until 2026-12-07): the 10-minute block's fields first. */
const STATE_LENGTH_TWO_LENGTHS = BLOCKS + BLOCK_FIELDS * 2;
/** The layout before the run's growth fit (2026-12-07). */
const STATE_LENGTH_NO_FIT = BLOCKS + BLOCK_FIELDS * BLOCK_MS.length;
/** The run's growth fit (growth-fit.ts): a line through its window ratios since its last growth. */
const FIT = STATE_LENGTH_NO_FIT;
const STATE_LENGTH = FIT + GROWTH_FIT_FIELDS;
/**
 * Written after the numbers of the state: 28 numbers was already the length of an older
 * layout (STATE_LENGTH_V1 + 2), so today's state is written as 29, its last this tag.
 */
const LAYOUT_TAG = 3;

export interface BlockCusum {
  block: number; bytes: number; expected: number; sum: number; variance: number; learnt: number; mean: number;
  /**
   * The rate reading; by default as a block restored from state written before it: its
   * windows' expected bytes (`expected`, none for no block), no window seen yet, 0.
   */
  rateExpected?: number; lastEnd?: number; emptyExpected?: number;
}
export interface CusumParts {
  blocks: BlockCusum[];
  run: number; runBytes: number; runExpected: number; runFlows: number; runStartMs: number; runExpectedFlows: number;
  episode: Episode;
  /** The run's growth fit (growth-fit.ts: n, sum t, sum t^2, sum y, sum t*y, sum y^2); by default empty (0s). NaN: unknown, as restored from before it. */
  fit?: readonly number[];
}

const idle = (): CusumState => {
  const s = new Float64Array(STATE_LENGTH);
  s[EPISODE] = Number.NaN;
  s[EPISODE + 5] = Number.NaN;
  for (let i = 0; i < BLOCK_MS.length; i++) {
    s[BLOCKS + BLOCK_FIELDS * i + BLOCK] = -1;
    s[BLOCKS + BLOCK_FIELDS * i + VARIANCE] = PRIOR_BLOCK_VAR;
    s[BLOCKS + BLOCK_FIELDS * i + LAST_END] = Number.NaN;
  }
  return s;
};

/** The episode kept in the state (EPISODE: start, above, epoch, level, grownTo, grownAt). */
function episodeOf(s: CusumState): Episode {
  return { start: s[EPISODE], above: s[EPISODE + 1], epoch: s[EPISODE + 2], level: s[EPISODE + 3], grownTo: s[EPISODE + 4], grownAt: s[EPISODE + 5] };
}

/** Writes an episode into the state, in place. */
function writeEpisode(s: CusumState, e: Episode): void {
  s[EPISODE] = e.start;
  s[EPISODE + 1] = e.above;
  s[EPISODE + 2] = e.epoch;
  s[EPISODE + 3] = e.level;
  s[EPISODE + 4] = e.grownTo;
  s[EPISODE + 5] = e.grownAt;
}

/** A state of the layout before the growth fit (its numbers, null for NaN): the fit unknown. */
function withoutFit(a: readonly (number | null)[]): CusumState {
  const s = idle();
  s.set(a.map((v) => v ?? Number.NaN));
  fitUnknown(s, FIT);
  return s;
}

/** A state from its named parts (tests, and reading it back for people). */
export function cusumState(p: CusumParts): CusumState {
  const s = idle();
  s.set([p.run, p.runBytes, p.runExpected, p.runFlows, p.runStartMs, p.runExpectedFlows]);
  writeEpisode(s, p.episode);
  if (p.fit !== undefined) s.set(p.fit, FIT);
  p.blocks.forEach((b, i) =>
    s.set(
      [
        b.block, b.bytes, b.expected, b.sum, b.variance, b.learnt, b.mean,
        b.rateExpected ?? (b.block >= 0 ? b.expected : 0), b.lastEnd ?? Number.NaN, b.emptyExpected ?? 0,
      ],
      BLOCKS + BLOCK_FIELDS * i,
    ),
  );
  return s;
}

/** Windows per block of `blockMs`: at least one. */
function windowsPerBlock(blockMs: number, size: number): number {
  return Math.max(1, Math.round(blockMs / size));
}

/**
 * Adds this window to block length i's running block in `s` (written in place); judges
 * the block when the window ends it, or an unfinished one when this window begins a later
 * block, and returns the highest z judged, else NaN. `expected`: the window's expected
 * bytes (presentWindowBytes); `atRate`: its expected bytes per window with the windows
 * without traffic counted (the baseline's own expectation where it expects less than a flow
 * a window, else 0: a busy destination's empty window is no shortfall).
 */
function addToBlock(s: CusumState, i: number, ctx: WindowContext, expected: number, atRate: number, frozen: boolean): number {
  const { window, baseline } = ctx;
  const b = BLOCKS + BLOCK_FIELDS * i;
  const size = window.end_ms - window.start_ms;
  const length = windowsPerBlock(BLOCK_MS[i], size) * size;
  const index = Math.floor(window.start_ms / length);
  let judged = Number.NaN;
  if (s[b + BLOCK] !== index) {
    const last = s[b + LAST_END];
    // A block left unfinished (its last windows had no traffic) is whole once a later
    // window arrives. One that holds windows the baseline expected less than a flow of is
    // judged now on its rate reading alone (its trailing empty windows counted); the
    // reading of the windows seen stays as it was: such a block is not judged on it.
    if (s[b + BLOCK] >= 0 && !Number.isNaN(last) && s[b + RATE_EXPECTED] !== s[b + EXPECTED]) {
      const end = (s[b + BLOCK] + 1) * length;
      judged = judgeBlock(s, b, true, Math.max(0, Math.round((end - last) / size)), true);
      // Its trailing empty windows are counted: the next block's gap starts at its end.
      s[b + LAST_END] = end;
    }
    s[b + BLOCK] = index;
    s[b + BYTES] = s[b + EXPECTED] = s[b + RATE_EXPECTED] = 0;
    // LAST_END stays where the last window with traffic ended (or its block, judged late): the
    // windows without traffic since then count into this block's rate reading, whole blocks without traffic included: blocks without traffic are never
    // judged, so a reading of the blocks with traffic against their own windows alone would
    // be a reading of the busier blocks only (a block of one window, as 10-minute or longer
    // windows make, would read every window seen as growth by the share of windows empty).
    // Only a first block (or one restored from before the rate reading) counts from its start.
    if (Number.isNaN(s[b + LAST_END])) s[b + LAST_END] = index * length;
  }
  // Each window counts at most WINDOW_CAP_SIGMA of the window spread above its
  // expectation: a creep moves every window a little, one spike only one window
  // (VOLUME_SPIKE's job), one huge flow of a heavy-tailed destination only its window.
  // Never less than the block's own clip, though: on a steady destination (window spread
  // under the block's) a block of capped windows could otherwise never reach it.
  const sd = Math.sqrt(Math.max(MIN_BLOCK_VAR, s[b + VARIANCE]));
  const cap = Math.expm1(Math.log1p(expected) + Math.max(WINDOW_CAP_SIGMA * baseline.sigma[0], CUSUM_CLIP * sd));
  s[b + BYTES] += Math.min(window.bytes, cap);
  s[b + EXPECTED] += expected;
  // The rate reading: this window at the baseline's own expectation (below a flow's worth
  // where it expects less than a flow), and each window without traffic since the last one
  // with traffic at what this window expects of one.
  // (None counted in a block restored from state written before the rate reading.)
  const gap = Number.isNaN(s[b + LAST_END]) ? 0 : Math.max(0, Math.round((window.start_ms - s[b + LAST_END]) / size));
  s[b + RATE_EXPECTED] += (atRate > 0 ? atRate : expected) + gap * atRate;
  s[b + LAST_END] = window.end_ms;
  s[b + EMPTY_EXPECTED] = atRate;
  if (window.end_ms % length !== 0) return judged;
  const z = judgeBlock(s, b, frozen, 0);
  return Number.isNaN(judged) ? z : Math.max(judged, z);
}

/**
 * Judges the running block at `b` (its CUSUM steps, its spread and usual y learn unless
 * `frozen`) and empties it; `trailing`: windows without traffic at its end. Returns its z.
 */
function judgeBlock(s: CusumState, b: number, frozen: boolean, trailing: number, rateOnly = false): number {
  const sd = Math.sqrt(Math.max(MIN_BLOCK_VAR, s[b + VARIANCE]));
  // The baseline expects each window's typical (log-mean) bytes; a block sums them, and a
  // sum of skewed windows runs above the sum of their typical values (by about s^2/2 in
  // log for log-normal windows of spread s). So y is judged against the usual y of normal
  // blocks, learnt like its spread, not against zero.
  const ratio = Math.log1p(s[b + BYTES]) - Math.log1p(s[b + EXPECTED]);
  const y = ratio - s[b + MEAN];
  // The usual y raises the bar for evidence, never lowers it below the expectation: a
  // usual y below 0 is the baseline's own bias (an accepted level that traffic then fell
  // back from, learnt over days), not a property of the destination, and a block at or
  // below the expectation is no increase, however low recent blocks ran.
  const bar = Math.max(0, s[b + MEAN]);
  // A sparse destination's growth is more windows with traffic, each still about one flow:
  // the rate reading (the block's bytes against what all its windows, the empty ones
  // included, are expected to carry) sees it where the windows seen do not. It never
  // teaches: against the baseline's expectation of less than a flow a window, a quiet
  // night's blocks read low by what the windows without traffic leave out.
  const rateRatio = Math.log1p(s[b + BYTES]) - Math.log1p(s[b + RATE_EXPECTED] + trailing * s[b + EMPTY_EXPECTED]);
  const z = ((rateOnly ? rateRatio : Math.max(ratio, rateRatio)) - bar) / sd;
  const clipped = Math.max(-CUSUM_CLIP, Math.min(CUSUM_CLIP, z));
  s[b + SUM] = Math.max(0, s[b + SUM] + clipped - CUSUM_ALLOWANCE);
  if (!frozen) {
    // Learnt from blocks judged normal only: a winsorised ratio, never while a run is held.
    const w = Math.max(-CLIP_SIGMA * sd, Math.min(CLIP_SIGMA * sd, y));
    const rate = Math.max(1 / (s[b + LEARNT] + 1 + PRIOR_BLOCKS), BLOCK_MIN_RATE);
    // The usual y is a property of the destination's flow sizes, not of this week: slow.
    s[b + MEAN] += Math.max(1 / (s[b + LEARNT] + 1 + PRIOR_BLOCKS), BLOCK_MEAN_MIN_RATE) * w;
    s[b + VARIANCE] += rate * (w * w - s[b + VARIANCE]);
    s[b + LEARNT] += 1;
  }
  s[b + BLOCK] = -1;
  s[b + BYTES] = s[b + EXPECTED] = s[b + RATE_EXPECTED] = 0;
  return z;
}

/**
 * The bytes a window that has traffic is expected to carry: at least one flow's worth. Only
 * windows with traffic are observed, so every window seen carries a whole flow; where the
 * baseline's seasonal terms expect less than one flow per window (a sparse destination's
 * weekend night: the night's hour slot plus the weekday slot's daytime drop), the windows
 * seen would otherwise read as growth by the missing fraction of a flow. The flow count has
 * its own seasonal profile in the baseline, so this is the flows' own expectation (the
 * profile the counts share, which packets swinging with bytes dominate, expected a fifth of
 * the flows sent by day on a sparse destination and switched this on by day).
 */
export function presentWindowBytes(expectedBytes: number, expectedFlows: number): number {
  return underAFlow(expectedFlows) ? expectedBytes / expectedFlows : expectedBytes;
}

/** The baseline expects less than a flow a window (and some): a sparse hour, read at rate. */
function underAFlow(expectedFlows: number): boolean {
  return expectedFlows > 0 && expectedFlows < 1;
}

function highestSum(s: CusumState): number {
  let sum = 0;
  for (let i = 0; i < BLOCK_MS.length; i++) sum = Math.max(sum, s[BLOCKS + BLOCK_FIELDS * i + SUM]);
  return sum;
}

// The state after the window being scored: scoring and learning compute the same one.
const nextScratch = new Float64Array(STATE_LENGTH);

/**
 * The state after this window (written into a scratch array, valid until the next call),
 * and whether it alarms. Pure: the state passed in is not changed.
 */
export function cusumNext(
  state: CusumState,
  ctx: WindowContext,
  settings: SustainedIncreaseSettings,
): CusumStep {
  const next = nextScratch;
  next.set(state);
  const ready = ctx.learnedWindows >= ctx.warmupWindows && ctx.learnedHours >= CUSUM_MIN_HOURS;
  if (!ready) return quietResult(next);
  const epoch = ctx.baseline.epoch;
  // A re-level (this detector's or another's) restarts the sums against the new level.
  const fresh = state[EPISODE + 2] !== epoch;
  /** A run is open in this epoch. */
  const holding = !Number.isNaN(state[EPISODE]) && !fresh;
  let judged = false;
  let above = 0;
  const { expectedFlows } = ctx.baseline;
  const expectedBytes = presentWindowBytes(ctx.baseline.expectedBytes, expectedFlows);
  const { linearBytes, linearFlows } = ctx.baseline;
  const atRate = underAFlow(linearFlows) ? linearBytes : 0;
  for (let i = 0; i < BLOCK_MS.length; i++) {
    if (fresh) next[BLOCKS + BLOCK_FIELDS * i + SUM] = 0;
    const z = addToBlock(next, i, ctx, expectedBytes, atRate, holding);
    if (!Number.isNaN(z)) {
      judged = true;
      above = Math.max(above, z);
    }
  }
  // A creep is judged from the first whole day on, but not on a weekday before a weekday has
  // been seen (traffic that began on a weekend: weekday-kinds.ts), and, once the days seen
  // differ (a weekend), not until the baseline has seen min_history (a week): before that
  // the first Monday after the first weekend would look like growth. Meanwhile the blocks'
  // spreads go on learning; no sum or run builds up.
  // A run already open is left to end as runs do (back at baseline, or accepted).
  if ((!ctx.baseline.dayKnown || (ctx.dailySpread >= DAILY_RHYTHM && ctx.historyMs < settings.min_history)) && !holding) {
    for (let i = 0; i < BLOCK_MS.length; i++) next[BLOCKS + BLOCK_FIELDS * i + SUM] = 0;
    next.fill(0, RUN, EPISODE);
    writeEpisode(next, noEpisode(epoch));
    return quietResult(next);
  }
  const sum = highestSum(next);
  if (sum > 0) {
    const first = state[RUN] === 0;
    next[RUN] = state[RUN] + 1;
    next[RUN_BYTES] = addCapped(first ? 0 : state[RUN_BYTES], ctx.window.bytes);
    next[RUN_EXPECTED] = (first ? 0 : state[RUN_EXPECTED]) + expectedBytes;
    next[RUN_FLOWS] = addCapped(first ? 0 : state[RUN_FLOWS], ctx.window.flows);
    next[RUN_START] = first ? ctx.window.start_ms : state[RUN_START];
    next[RUN_EXPECTED_FLOWS] = (first ? 0 : state[RUN_EXPECTED_FLOWS]) + expectedFlows;
  } else {
    next.fill(0, RUN, EPISODE);
  }
  const alert = sum > settings.threshold && next[RUN] >= settings.min_windows;
  // The usual window: no run open, none opening, and the episode already in this epoch: it stays as it is.
  if (!alert && !fresh && Number.isNaN(state[EPISODE])) return quietResult(next);
  // Growth is read from the windows' own bytes (a block's sum is capped per window). A run
  // opens on a block that tipped the sum, often a high one: its level starts from the whole
  // run's ratio instead, or the creep's next rise would have to outgrow that one block.
  const ratio = holding ? bytesRatio(ctx.window.bytes, expectedBytes) : bytesRatio(next[RUN_BYTES], next[RUN_EXPECTED]);
  const step = episodeStep(episodeOf(state), epoch, ctx.window, alert, above, ratio, CUSUM_ALLOWANCE, settings.accept_after, judged, next, FIT);
  writeEpisode(next, step.next);
  return { next, alert: alert || step.accepted, hold: step.hold, run: step.run, restart: step.settledLow === true };
}

/** `run`: the run this window accepts as the new normal (set exactly when it accepts one);
 *  `restart`: the run ended back down where it would have been accepted (episode.ts), so the
 *  sums restart as after an acceptance. */
interface CusumStep { next: CusumState; alert: boolean; hold: boolean; run?: AcceptedRun; restart?: boolean }
/** The result of a window that changes no run, reused (nearly every window is one). */
const quiet: CusumStep = { next: nextScratch, alert: false, hold: false };
function quietResult(next: CusumState): CusumStep {
  quiet.next = next;
  return quiet;
}

export const sustainedIncrease: WindowDetector<'sustained_increase', CusumState> = {
  kind: 'window',
  type: 'SUSTAINED_INCREASE',
  key: 'sustained_increase',
  ...sustainedIncreaseInfo,
  init: idle,
  // NaN (no episode) is written as null by JSON and read back as NaN.
  toJSON: (s) => [...Array.from(s, (v) => (Number.isNaN(v) ? null : v)), LAYOUT_TAG],
  fromJSON: (json) => {
    const a = json as (number | null)[];
    // State of the single-window CUSUM (6 or 7 numbers, before block sums): its run is
    // not carried over; the block spreads start from their prior.
    if (a.length <= 7) return idle();
    if (a.length === STATE_LENGTH + 1 && a[STATE_LENGTH] === LAYOUT_TAG) return Float64Array.from(a.slice(0, STATE_LENGTH), (v) => v ?? Number.NaN);
    // Written before the growth fit, or while hourly blocks were judged too (the run, the
    // episode and the 10-minute block carry on; the hourly block's sum and spread are
    // dropped): an open run keeps the mark alone as its reading of growth (no fit).
    if (a.length === STATE_LENGTH_NO_FIT || a.length === STATE_LENGTH_TWO_LENGTHS) return withoutFit(a.slice(0, STATE_LENGTH_NO_FIT));
    let v1: (number | null)[];
    if (a.length === STATE_LENGTH_V1 - 3) {
      // Written before episodes tracked growth: level 0, grown to 0, no time of growth (NaN).
      v1 = [...a.slice(0, EPISODE + 3), 0, 0, null, ...a.slice(EPISODE + 3)];
    } else if (a.length === STATE_LENGTH_V1 + 2) {
      // Written while episodes kept two more smoothings (commit 9ba52b1, dropped): not needed.
      v1 = a.slice(0, STATE_LENGTH_V1);
    } else if (a.length === STATE_LENGTH_V1) {
      v1 = a;
    } else {
      throw new Error(
        `sustained_increase state: ${a.length} numbers, expected ${STATE_LENGTH + 1} ending in ${LAYOUT_TAG} (or an older layout's ${STATE_LENGTH_TWO_LENGTHS}, ${STATE_LENGTH_NO_FIT}, ${STATE_LENGTH_V1 + 2}, ${STATE_LENGTH_V1}, ${STATE_LENGTH_V1 - 3} or at most 7)`,
      );
    }
    // Written before the rate reading: each running block's rate reading starts as its
    // reading of the windows seen, from no window seen yet.
    const s = Float64Array.from(v1.slice(0, BLOCKS), (v) => v ?? Number.NaN);
    const out = idle();
    out.set(s);
    for (let i = 0; i < BLOCK_MS.length; i++) {
      const old = v1.slice(BLOCKS + BLOCK_FIELDS_V1 * i, BLOCKS + BLOCK_FIELDS_V1 * (i + 1)).map((v) => v ?? Number.NaN);
      out.set([...old, old[BLOCK] >= 0 ? old[EXPECTED] : 0, Number.NaN, 0], BLOCKS + BLOCK_FIELDS * i);
    }
    fitUnknown(out, FIT);
    return out;
  },
  scoreOne(state, ctx, settings) {
    const { next, alert, hold, run: accepting } = cusumNext(state, ctx, settings);
    const sum = highestSum(next);
    if (accepting !== undefined) return acceptanceNote(ctx, sum, settings, accepting);
    const run = next[RUN];
    return {
      observed: next[RUN_BYTES],
      expected: next[RUN_EXPECTED],
      score: sum,
      threshold: settings.threshold,
      alert,
      // The alert covers the whole run above baseline, not only the window that tipped it.
      span: { start_ms: run > 0 ? next[RUN_START] : ctx.window.start_ms, flow_count: next[RUN_FLOWS], bytes: next[RUN_BYTES] },
      // Worded only when it alerts: the hot path scores every window.
      reason: !alert ? '' : creepReason(ctx, next, sum, settings.threshold),
      hold,
    };
  },
  learnOne(state, ctx, settings) {
    const { next, alert, restart } = cusumNext(state, ctx, settings);
    state.set(next);
    // Page's CUSUM restarts after an alarm (a creep that goes on alarms again) and when its run
    // ended back down where it would have been accepted; the spreads, the running blocks and
    // the episode stay.
    if (alert || restart === true) restartSums(state);
  },
  endRun(state) {
    // Its evidence is over: the sums restart and the episode goes; the spreads, usual ratios and running blocks stay.
    restartSums(state);
    writeEpisode(state, noEpisode(state[EPISODE + 2]));
  },
};

/** The run's evidence and every block length's CUSUM back to 0, in place. */
function restartSums(state: CusumState): void {
  state.fill(0, RUN, EPISODE);
  for (let i = 0; i < BLOCK_MS.length; i++) state[BLOCKS + BLOCK_FIELDS * i + SUM] = 0;
}

/**
 * The final note of a run accepted as the new normal: this window's own figures (the run's
 * sums restarted at its alert, so they may hold nothing) and the level the run settled at.
 */
function acceptanceNote(ctx: WindowContext, sum: number, settings: SustainedIncreaseSettings, run: AcceptedRun) {
  const { window, baseline } = ctx;
  const expected = presentWindowBytes(baseline.expectedBytes, baseline.expectedFlows);
  const size = window.end_ms - window.start_ms;
  return {
    observed: window.bytes,
    expected,
    score: sum,
    threshold: settings.threshold,
    alert: true,
    span: { start_ms: window.start_ms, flow_count: window.flows, bytes: window.bytes },
    reason:
      `Volume baseline of ${ctx.destination} (detectors.sustained_increase): ${formatBytes(window.bytes)} and ` +
      `${formatFlowRate(window.flows, size)} sent in the ${formatDuration(size)} window ending ${new Date(window.end_ms).toISOString()} against ` +
      `${formatBytes(expected)} and ${formatFlowRate(baseline.expectedFlows, size)} expected (${formatRatio(window.bytes, expected, 2)}). ` +
      acceptanceSentence('sustained_increase', run, settings.accept_after),
    hold: true,
    accepted: true as const,
  };
}

function creepReason(ctx: WindowContext, s: CusumState, sum: number, threshold: number): string {
  const span = Math.max(1, s[RUN]) * (ctx.window.end_ms - ctx.window.start_ms);
  return (
    `Volume baseline of ${ctx.destination} (detectors.sustained_increase): ${formatBytes(s[RUN_BYTES])} and ` +
    `${formatFlowRate(s[RUN_FLOWS], span)} sent over ${s[RUN]} windows (${formatDuration(span)}) against ` +
    `${formatBytes(s[RUN_EXPECTED])} and ${formatFlowRate(s[RUN_EXPECTED_FLOWS], span)} expected ` +
    `(${formatRatio(s[RUN_BYTES], s[RUN_EXPECTED], 2)}); CUSUM ${sum.toFixed(2)} > threshold ${threshold}. ` +
    `Check for a new job or principal exporting to ${ctx.destination} and whether the growth was planned.`
  );
}
