// The per-destination volume baseline shared by the volume detectors.
//
// Model: each closed window gives four log features (bytes sent, flows, packets sent,
// distinct sources). The expectation is  level + hour_of_day[h] + day_of_week[d]  per
// feature, in log space, so seasonality is multiplicative. Bytes sent (the feature
// exfiltration moves) and flows (what a window with traffic carries at least one of) have
// hour and weekday profiles of their own; packets and sources share one, so a night of
// bigger flows is not averaged away by flat counts, nor the flow count by packets that swing
// with bytes. The residual's spread is a
// robust running covariance; the window's score is its Mahalanobis distance (ml-matrix's
// Cholesky solve, reproduced bit for bit without allocating: see mahalanobis.ts),
// which is unit-free and so comparable across destinations.
//
// Robustness (the anomaly cannot teach the baseline): every residual is winsorised at
// CLIP_SIGMA of its feature's spread before it updates level, spread or profiles, so
// the spread cannot inflate with a developing anomaly; a window that scores high
// teaches little (weight (5/d)^2 past d = 5); and a window a detector holds (its run is
// open: see episode.ts) teaches nothing. A lasting change becomes normal only
// deliberately: acceptLevel() moves the level to where the held windows were, once a
// detector's run has lasted its accept_after; and an accepted change that ends is given
// back the same way (returnLevel): traffic back down for as long again moves the level
// back, never below where it was before the acceptance. Seasonal profiles learn from whole hours
// and whole days, not single windows, so a slow creep inside an hour is not absorbed by
// that hour's slot.
import { DIMENSION, mahalanobisDistance } from './mahalanobis.js';

export const FEATURES = ['bytes', 'flows', 'packets', 'sources'] as const;
/** The solve is written for DIMENSION features: the type says so (a fifth feature does not compile). */
const F: typeof DIMENSION = FEATURES.length;
const TRI = (F * (F + 1)) / 2;

/** One closed window of one destination, as the baseline sees it. */
export interface WindowObservation {
  start_ms: number;
  end_ms: number;
  bytes: number;
  flows: number;
  packets: number;
  sources: number;
  /** Hour of day 0..23 and day of week 0..6 (Monday 0) in the configured time zone. */
  hour: number;
  weekday: number;
}

export interface BaselineVerdict {
  /** The window's log features (bytes, flows, packets, sources). */
  features: Float64Array;
  /** Mahalanobis distance of the window's log features from the seasonal expectation. */
  distance: number;
  /** Residuals (log space) and their standard deviations, per feature. */
  residual: Float64Array;
  sigma: Float64Array;
  /** Expected bytes for this window (seasonal expectation, linear space). */
  expectedBytes: number;
  expectedFlows: number;
  /** Times the level was re-set by acceptLevel(): detectors restart their runs when it changes. */
  epoch: number;
}

// State layout in one Float32Array: compact (the 2 KB per destination budget counts the
// array's storage) and trivially serialisable. Single precision is ample for log-space
// levels, spreads and profiles (steps of 1e-4 on a level near 20 are ~50 float32 ulps);
// counts stay exact below 2^24, and the hour/day bucket numbers are kept modulo 2^24
// (only ever compared for equality with the next window's).
const N = 0; // windows learnt
const HOURS = 1; // whole hours folded into the hour-of-day profile
const DAYS = 2; // whole days folded into the day-of-week profile
const CUR_HOUR = 3; // hour bucket (epoch hours) being accumulated, -1 none
const CUR_HOUR_SUM = 4;
const CUR_HOUR_W = 5;
const CUR_DAY = 6; // day bucket being accumulated
const CUR_DAY_SUM = 7;
const CUR_DAY_W = 8;
const CUR_HOD = 9; // hour-of-day and weekday of the buckets above
const CUR_DOW = 10;
const LEVEL = 11;
const COV = LEVEL + F;
const HOD = COV + TRI; // profile of the counts (packets, sources; before the flows profile, flows too)
const DOW = HOD + 24;
const HOD_BYTES = DOW + 7; // profile of bytes sent
const DOW_BYTES = HOD_BYTES + 24;
const CUR_HOUR_SUM_BYTES = DOW_BYTES + 7;
const CUR_DAY_SUM_BYTES = CUR_HOUR_SUM_BYTES + 1;
const HELD_N = CUR_DAY_SUM_BYTES + 1; // consecutive held windows
const HELD_RES = HELD_N + 1; // recent mean residual of the held windows, per feature
const EPOCH = HELD_RES + F;
const TAIL = EPOCH + 1; // per feature, the upper tail of the standardised residual (tail-calibrated spread)
const TAIL_ABOVE = TAIL + F; // bitmask: features whose previous window sat above their tail
const FIRST_HOUR = TAIL_ABOVE + 1; // epoch hour of the first window learnt (0: state written before it was kept)
const DAY_LO = FIRST_HOUR + 1; // lowest and highest mean bytes residual of a whole day judged with a learnt hour profile (0: none)
const DAY_HI = DAY_LO + 1;
// The open day's bytes residuals as scored (not winsorised: the range must see a weekend even
// where a steady destination's narrow spread would clip it), and how many windows they sum.
const DAY_RAW_SUM = DAY_HI + 1;
const DAY_RAW_N = DAY_RAW_SUM + 1;
// The hour slots (0..23) folded during the open day, one bit each (24 bits: exact in single
// precision): the day's own level is taken back out of them when the day folds.
const DAY_HOURS = DAY_RAW_N + 1;
const SHIFT = DAY_HOURS + 1; // per feature: the level shift acceptLevel made and traffic has not given back
const BACK_N = SHIFT + F; // consecutive learnt windows whose smoothed bytes residual is back down by half the shift
const BACK_RES = BACK_N + 1; // smoothed residual of the learnt windows since the acceptance, per feature
// The flow count's own profile and its open hour's and day's residual sums (before it was kept,
// flows shared the counts' profile, which packets swinging with bytes dominate: on a sparse
// destination it expected a fifth of the flows sent by day).
const HOD_FLOWS = BACK_RES + F;
const DOW_FLOWS = HOD_FLOWS + 24;
const CUR_HOUR_SUM_FLOWS = DOW_FLOWS + 7;
const CUR_DAY_SUM_FLOWS = CUR_HOUR_SUM_FLOWS + 1;
export const BASELINE_STATE_LENGTH = CUR_DAY_SUM_FLOWS + 1;

/** Where feature i's hour slots, weekday slots and open hour's residual sum are (0: bytes, 1: flows, else the counts'). */
const HOD_OF = [HOD_BYTES, HOD_FLOWS, HOD, HOD];
const DOW_OF = [DOW_BYTES, DOW_FLOWS, DOW, DOW];
const HOUR_SUM_OF = [CUR_HOUR_SUM_BYTES, CUR_HOUR_SUM_FLOWS, CUR_HOUR_SUM, CUR_HOUR_SUM];

/** Shrinkage of the correlations (0: none, 1: diagonal only). */
const SHRINK = 0.3;
/** Prior spread: log-space sd of 1 (a factor of e) until data says otherwise. */
const PRIOR_VAR = 1.0;
/**
 * Prior weight of the spread, in windows: a handful, so that the data outweigh it within the
 * warm-up. The prior's variance is the size of a whole daily curve, tens to hundreds of times
 * a real window spread: at 20 windows it still held a quarter of the weight at the end of the
 * shipped 60-window warm-up (a log sd of 0.5 whatever the traffic) and kept the spread
 * several times too wide for hundreds of windows (on hourly data, weeks), blind to rises that
 * its own traffic shows plainly.
 */
const PRIOR_WINDOWS = 5;
/**
 * No feature is trusted to be steadier than this (log sd 0.05, about +-5%): the floor only
 * keeps a flat history (spread 0) from making every change infinitely far. Destinations
 * that swing more have learnt a wider spread, and routine bursts widen it further through
 * the tail-calibrated spread (TAIL_ONSET_RATE).
 */
export const MIN_VAR = 0.05 * 0.05;
/**
 * Slowest learning rates: the level follows about a week of event time (longer than the
 * weekly cycle, which the profiles carry: a faster level would learn every weekend as a
 * fall and every Monday as a rise), the spread about 500 windows.
 */
const LEVEL_SPAN_MS = 7 * 86_400_000;
const COV_MIN_RATE = 1 / 500;
const HOD_MIN_RATE = 0.15;
const DOW_MIN_RATE = 0.2;
/** Past this distance a window counts less and less as evidence of normal. */
const HUBER_D = 5;
/** Residuals are winsorised here (in their feature's sd) before anything learns from them. */
const CLIP_SIGMA = 2.5;
/** The held windows' mean residual follows about the last this many windows. */
const HELD_SPAN = 8;
/**
 * The tail-calibrated spread. The spread above is learnt from winsorised residuals, so no
 * anomaly can inflate it; but that also hides a destination's own heavy tail: an hourly job
 * that doubles one window in 60, or bursty traffic whose big windows are routine, would alert
 * on every burst. So each feature also tracks where its standardised residual's upper tail
 * sits: the level that bursts *begin* above in TAIL_ONSET_RATE of windows (a stochastic
 * quantile estimate, Robbins-Monro, on burst onsets: a window above the tail right after
 * another teaches nothing, so an hour-long anomaly counts as one burst, not sixty). Where that
 * tail lies beyond the Gaussian's (TAIL_GAUSSIAN), the score's spread widens by the ratio;
 * it never narrows. A burst pattern that recurs more often than the onset rate becomes
 * normal after about (tail - TAIL_GAUSSIAN) / TAIL_STEP of its bursts (the first of which
 * alerted); a rarer one keeps alerting.
 */
const TAIL_ONSET_RATE = 0.01;
/** The Gaussian's upper 1% point: a residual with Gaussian tails keeps its tail here. */
const TAIL_GAUSSIAN = 2.326;
/** Step of the tail estimate per burst onset, in standard deviations. */
const TAIL_STEP = 0.25;

export type BaselineState = Float32Array;
/** Bucket numbers (yyyymmddhh) modulo this stay exact in single precision. */
const BUCKET_MOD = 2 ** 24;

export function newBaseline(): BaselineState {
  const s = new Float32Array(BASELINE_STATE_LENGTH);
  s[CUR_HOUR] = -1;
  s[CUR_DAY] = -1;
  for (let i = 0; i < F; i++) s[COV + triIndex(i, i)] = PRIOR_VAR;
  for (let i = 0; i < F; i++) s[TAIL + i] = TAIL_GAUSSIAN;
  return s;
}

/** How much wider than its learnt spread feature i's tail says it swings (at least 1). */
function tailWidening(s: BaselineState, i: number): number {
  return Math.max(1, s[TAIL + i] / TAIL_GAUSSIAN);
}

export function learnedWindows(s: BaselineState): number {
  return s[N];
}

/**
 * Event time from the hour of the first window this baseline learnt to `atMs`: how much of
 * the destination's history it has seen (a baseline restored from state written before this
 * was kept counts as old).
 */
export function historyMs(s: BaselineState, atMs: number): number {
  return s[N] === 0 ? 0 : atMs - s[FIRST_HOUR] * HOUR_MS;
}

/**
 * How far apart (ln) the whole days this baseline has seen sit in their mean bytes: about 0
 * for a destination whose days look alike, ln 4 for one whose weekend carries a quarter of a
 * weekday. The hour profile is learnt on the first day, so that day is the reference (0) and
 * the range counts the later days judged against it; 0 before such a day has ended.
 */
export function dailySpread(s: BaselineState): number {
  return s[DAY_HI] - s[DAY_LO];
}

/** Whole hours folded into the hour-of-day profile: 24 means every hour was seen once. */
export function learnedHours(s: BaselineState): number {
  return s[HOURS];
}

function triIndex(i: number, j: number): number {
  if (i > j) [i, j] = [j, i];
  return i * F - (i * (i - 1)) / 2 + (j - i);
}

/** triIndex(i, j) for every cell, row-major: the covariance is read once per closed window. */
const TRI_OF = Int32Array.from({ length: F * F }, (_, k) => triIndex(Math.floor(k / F), k % F));

export function logFeatures(w: WindowObservation, into: Float64Array = new Float64Array(F)): Float64Array {
  into[0] = Math.log1p(w.bytes);
  into[1] = Math.log1p(w.flows);
  into[2] = Math.log1p(w.packets);
  into[3] = Math.log1p(w.sources);
  return into;
}

const HOUR_MS = 3_600_000;

/**
 * The seasonal term of feature i (bytes and flows have profiles of their own). An hour slot holds the
 * hour's mean, taken as its value at the half hour; between half hours the expectation is
 * interpolated linearly with the neighbouring slot, so a smooth daily curve is not a
 * staircase (whose steps a creep statistic would read as growth within the hour). The
 * position in the hour is read from UTC, exact for time zones with whole-hour offsets.
 */
function seasonal(s: BaselineState, w: WindowObservation, i: number): number {
  return youngProfile(s) ? youngHour(s, i) + s[DOW_OF[i] + w.weekday] : learntSeasonal(s, w, i);
}

/** Until every hour slot is set (the first day), the profile is still being learnt. */
function youngProfile(s: BaselineState): boolean {
  return s[HOURS] < 24;
}

/**
 * The hour term of a young profile: the open hour's own running mean residual (0 before
 * its first window). A young residual against the unset slots is mostly the daily curve
 * not learnt yet (a curve puts the afternoon a factor of 10 above a level set at
 * midnight): a bias shared by the whole hour, not spread. Judged against the hour's mean
 * instead, the spread learns what varies within an hour, and a spike is not hidden behind
 * a spread the size of the daily curve (which the slow spread rate would keep for days).
 */
function youngHour(s: BaselineState, i: number): number {
  const w = s[CUR_HOUR_W];
  return w > 0 ? s[HOUR_SUM_OF[i]] / w : 0;
}

/** The seasonal term from the learnt slots, interpolated between half hours. */
function learntSeasonal(s: BaselineState, w: WindowObservation, i: number): number {
  const hod = HOD_OF[i];
  const dow = DOW_OF[i];
  const at = ((((w.start_ms + w.end_ms) / 2) % HOUR_MS) + HOUR_MS) % HOUR_MS / HOUR_MS;
  const other = at < 0.5 ? (w.hour + 23) % 24 : (w.hour + 1) % 24;
  const a = Math.abs(at - 0.5);
  return (1 - a) * s[hod + w.hour] + a * s[hod + other] + s[dow + w.weekday];
}

/** A verdict to fill: the engine keeps one and scores every window into it. */
export function newVerdict(): BaselineVerdict {
  return {
    features: new Float64Array(F),
    distance: 0,
    residual: new Float64Array(F),
    sigma: new Float64Array(F),
    expectedBytes: 0,
    expectedFlows: 0,
    epoch: 0,
  };
}

/**
 * Scores a window against the baseline without changing it. With `into`, the verdict is
 * written there and returned (no allocation: nearly every record closes a window when
 * destinations are many and quiet); it is valid until the next call with the same `into`.
 */
export function scoreWindow(s: BaselineState, w: WindowObservation, into: BaselineVerdict = newVerdict()): BaselineVerdict {
  const x = logFeatures(w, into.features);
  const residual = into.residual;
  const sigma = into.sigma;
  const fresh = s[N] === 0;
  for (let i = 0; i < F; i++) {
    residual[i] = fresh ? 0 : x[i] - (s[LEVEL + i] + seasonal(s, w, i));
    sigma[i] = Math.sqrt(Math.max(MIN_VAR, s[COV + TRI_OF[i * F + i]]));
  }
  into.distance = fresh ? 0 : mahalanobis(s, residual);
  // log1p's inverse can dip below zero near an empty baseline: no negative bytes.
  into.expectedBytes = fresh ? w.bytes : Math.max(0, Math.expm1(s[LEVEL] + seasonal(s, w, 0)));
  into.expectedFlows = fresh ? w.flows : Math.max(0, Math.expm1(s[LEVEL + 1] + seasonal(s, w, 1)));
  into.epoch = s[EPOCH];
  return into;
}

/** The residuals' covariance as the score uses it: correlations shrunk, variances floored. */
function shrunkCovariance(s: BaselineState, out: Float64Array): void {
  for (let i = 0; i < F; i++) {
    for (let j = 0; j < F; j++) {
      let v = s[COV + TRI_OF[i * F + j]];
      // Shrink correlations towards zero: heavy-tailed flow sizes make "bytes up, flows
      // not" far more common than a Gaussian fit of the correlation predicts.
      if (i === j) v = Math.max(MIN_VAR, v);
      else v *= 1 - SHRINK;
      // Each feature's tail widens its row and column (its correlations stay as they are).
      out[i * F + j] = v * tailWidening(s, i) * tailWidening(s, j);
    }
  }
}

// Scratch of the covariance the score solves, reused between calls (the engine is synchronous).
const covScratch = new Float64Array(F * F);

function mahalanobis(s: BaselineState, r: Float64Array): number {
  shrunkCovariance(s, covScratch);
  return mahalanobisDistance(covScratch, r, MIN_VAR);
}

/**
 * Weight of a window as evidence of normal traffic: none while a detector holds it (an
 * alert, or a run still open), less and less past HUBER_D.
 */
export function learningWeight(distance: number, held: boolean): number {
  if (held) return 0;
  if (distance <= HUBER_D) return 1;
  const r = HUBER_D / distance;
  return r * r;
}

/**
 * Folds a scored window into the baseline. `hourBucket`/`dayBucket` identify the local
 * hour and day the window belongs to (any numbering that changes when they change).
 */
export function learnWindow(
  s: BaselineState,
  w: WindowObservation,
  v: BaselineVerdict,
  weight: number,
  hourBucket: number,
  dayBucket: number,
  returnAfterMs = 0,
): void {
  const x = v.features;
  if (s[N] === 0) {
    // First window: it defines the level; the spread keeps its prior.
    for (let i = 0; i < F; i++) s[LEVEL + i] = x[i];
    s[N] = 1;
    // Epoch hours (about 500,000) are exact in single precision.
    s[FIRST_HOUR] = Math.floor(w.start_ms / HOUR_MS);
    openBuckets(s, w, hourBucket, dayBucket);
    return;
  }
  // Winsorised residuals: however far a window sits, it moves the baseline as if it sat at
  // CLIP_SIGMA, so a developing anomaly cannot inflate the spread or drag the level. The
  // spread learns them as scored; the level and the profiles learn them against the learnt
  // slots (young: the scored residual plus the open hour's mean, taken before it rolls).
  const young = youngProfile(s);
  const spreadLearns = !young || s[CUR_HOUR_W] > 0;
  const r = clipScratch;
  const raw = rawScratch;
  for (let i = 0; i < F; i++) {
    const limit = CLIP_SIGMA * v.sigma[i];
    r[i] = Math.max(-limit, Math.min(limit, v.residual[i]));
    const shift = young ? youngHour(s, i) - (learntSeasonal(s, w, i) - s[DOW_OF[i] + w.weekday]) : 0;
    raw[i] = r[i] + shift;
    heldScratch[i] = v.residual[i] + shift;
  }
  rollSeasonalBuckets(s, w, hourBucket, dayBucket);
  learnTail(s, v);
  if (weight === 0) {
    // Held: level and spread learn nothing. The seasonal profiles still see the window
    // (winsorised, folded once per whole hour and day at their slow rates): one episode
    // moves a slot by a fraction of CLIP_SIGMA, while a shape that recurs at the same
    // hour every day is seasonality and must be learnt, or holds would keep it unknown.
    holdWindow(s, heldScratch);
    addToSeasonalBuckets(s, raw, 0, 1);
    return;
  }
  s[HELD_N] = 0;
  if (s[SHIFT] > 0 && returnAfterMs > 0) watchReturn(s, v.residual, Math.ceil(returnAfterMs / (w.end_ms - w.start_ms)));

  const n = s[N];
  // The first window set the level; from then on it moves slowly even while young, so the
  // profiles learn the shape against a steady level (a level still sweeping through the
  // first day would be learnt into every slot as a tilt).
  const levelRate = Math.min(1, (w.end_ms - w.start_ms) / LEVEL_SPAN_MS) * weight;
  // Young with no hour mean yet (the first window after the one that set the level): no spread.
  const covRate = spreadLearns ? Math.max(1 / (n + PRIOR_WINDOWS), COV_MIN_RATE) * weight : 0;
  for (let i = 0; i < F; i++) {
    for (let j = i; j < F; j++) {
      const k = COV + TRI_OF[i * F + j];
      s[k] += covRate * (r[i] * r[j] - s[k]);
    }
  }
  for (let i = 0; i < F; i++) s[LEVEL + i] += levelRate * raw[i];
  addToSeasonalBuckets(s, raw, levelRate, weight);
  s[DAY_RAW_SUM] += heldScratch[0];
  s[DAY_RAW_N] += 1;
  s[N] = n + 1;
}

/**
 * One step of each feature's tail estimate (see TAIL_ONSET_RATE): up when a burst begins
 * above it, down a little for every window below it, unchanged while a burst goes on. Held
 * windows count too: a burst that alerts is still a burst, and the step is bounded.
 */
function learnTail(s: BaselineState, v: BaselineVerdict): void {
  let above = 0;
  const before = s[TAIL_ABOVE];
  for (let i = 0; i < F; i++) {
    const z = v.residual[i] / v.sigma[i];
    const bit = 1 << i;
    if (z > s[TAIL + i]) {
      above |= bit;
      if ((before & bit) === 0) s[TAIL + i] += TAIL_STEP * (1 - TAIL_ONSET_RATE);
    } else {
      s[TAIL + i] = Math.max(TAIL_GAUSSIAN, s[TAIL + i] - TAIL_STEP * TAIL_ONSET_RATE);
    }
  }
  s[TAIL_ABOVE] = above;
}

/** The seasonal profiles learn from what the level did not explain, in whole hours/days. */
function addToSeasonalBuckets(s: BaselineState, r: Float64Array, levelRate: number, weight: number): void {
  let countsResidual = 0;
  for (let i = 2; i < F; i++) countsResidual += r[i] * (1 - levelRate);
  countsResidual /= F - 2;
  const bytesResidual = r[0] * (1 - levelRate);
  const flowsResidual = r[1] * (1 - levelRate);
  s[CUR_HOUR_SUM] += weight * countsResidual;
  s[CUR_HOUR_SUM_BYTES] += weight * bytesResidual;
  s[CUR_HOUR_SUM_FLOWS] += weight * flowsResidual;
  s[CUR_HOUR_W] += weight;
  s[CUR_DAY_SUM] += weight * countsResidual;
  s[CUR_DAY_SUM_BYTES] += weight * bytesResidual;
  s[CUR_DAY_SUM_FLOWS] += weight * flowsResidual;
  s[CUR_DAY_W] += weight;
}

const clipScratch = new Float64Array(F);
const rawScratch = new Float64Array(F);
const heldScratch = new Float64Array(F);

/** A held window teaches nothing, but is remembered as where traffic now is (acceptLevel). */
function holdWindow(s: BaselineState, residual: Float64Array): void {
  const held = s[HELD_N] + 1;
  const rate = Math.max(1 / held, 1 / HELD_SPAN);
  for (let i = 0; i < F; i++) s[HELD_RES + i] = held === 1 ? residual[i] : s[HELD_RES + i] + rate * (residual[i] - s[HELD_RES + i]);
  s[HELD_N] = held;
}

/**
 * A lasting change accepted as the new normal (a detector's run outlasted accept_after):
 * the level moves to the held windows' recent mean, the spread and the seasonal shape
 * stay, and the epoch changes so every detector restarts its run.
 */
export function acceptLevel(s: BaselineState): void {
  if (s[HELD_N] > 0) {
    for (let i = 0; i < F; i++) {
      s[LEVEL + i] += s[HELD_RES + i];
      s[SHIFT + i] += s[HELD_RES + i];
    }
  }
  s[BACK_N] = 0;
  for (let i = 0; i < F; i++) s[BACK_RES + i] = 0;
  s[HELD_N] = 0;
  for (let i = 0; i < F; i++) s[HELD_RES + i] = 0;
  s[EPOCH] += 1;
}

/**
 * After an accepted rise (SHIFT[bytes] > 0): the learnt windows' residuals, smoothed over
 * about HELD_SPAN windows from the acceptance on (where they start at 0: the level was just
 * set to where traffic was). Once the smoothed bytes residual has stayed below half the
 * accepted shift for `windows` learnt windows in a row (baseline.return_after, as windows;
 * windows without traffic are not seen, so a sparse destination waits longer), traffic has
 * gone back down: returnLevel. Without it an accepted change that ends leaves the destination
 * judged against its peak for weeks, the level learning at a week's pace from winsorised
 * residuals: blind to a rise back to that level, and every later block of the creep
 * statistic reads as below normal.
 */
function watchReturn(s: BaselineState, residual: Float64Array, windows: number): void {
  for (let i = 0; i < F; i++) s[BACK_RES + i] += (residual[i] - s[BACK_RES + i]) / HELD_SPAN;
  if (!(s[BACK_RES] < -0.5 * s[SHIFT])) {
    // Back up, nearer the accepted level than the old one: the rise recurs, and a rise that
    // recurs within return_after stays accepted (counting time below with set-backs instead
    // gave more back on bursty destinations: NAB 38.3 -> 37.1, more false positives).
    s[BACK_N] = 0;
    return;
  }
  s[BACK_N] += 1;
  if (s[BACK_N] >= windows) returnLevel(s);
}

/**
 * An accepted change has ended: each feature whose level an acceptance raised moves back by
 * the recent windows' residual, but not below where it was before (the shift); what is left
 * of the shift stays to be given back later. The epoch changes, as at an acceptance.
 */
function returnLevel(s: BaselineState): void {
  for (let i = 0; i < F; i++) {
    const move = s[SHIFT + i] > 0 ? Math.min(0, Math.max(s[BACK_RES + i], -s[SHIFT + i])) : 0;
    s[LEVEL + i] += move;
    s[SHIFT + i] += move;
    s[BACK_RES + i] = 0;
  }
  // Bytes back within a twentieth of where they were: nothing is left to give back.
  if (s[SHIFT] < RETURNED) for (let i = 0; i < F; i++) s[SHIFT + i] = 0;
  s[BACK_N] = 0;
  s[EPOCH] += 1;
}
const RETURNED = Math.log(1.05);

function openBuckets(s: BaselineState, w: WindowObservation, hourBucket: number, dayBucket: number): void {
  s[CUR_HOUR] = hourBucket % BUCKET_MOD;
  s[CUR_DAY] = dayBucket % BUCKET_MOD;
  s[CUR_HOD] = w.hour;
  s[CUR_DOW] = w.weekday;
  s[CUR_HOUR_SUM] = s[CUR_HOUR_W] = s[CUR_DAY_SUM] = s[CUR_DAY_W] = s[CUR_HOUR_SUM_BYTES] = s[CUR_DAY_SUM_BYTES] = 0;
  s[CUR_HOUR_SUM_FLOWS] = s[CUR_DAY_SUM_FLOWS] = 0;
}

/** Where one seasonal profile keeps its slots and its open bucket in the state array. */
interface Profile {
  slots: number; // first slot (HOD or DOW)
  bytesSlots: number; // first slot of the bytes profile (HOD_BYTES or DOW_BYTES)
  bytesSum: number;
  flowsSlots: number; // first slot of the flows profile (HOD_FLOWS or DOW_FLOWS)
  flowsSum: number;
  folded: number; // count of buckets folded (HOURS or DAYS)
  perCycle: number; // buckets per full cycle (24 hours, 7 days)
  minRate: number;
  bucket: number; // CUR_HOUR / CUR_DAY
  slot: number; // CUR_HOD / CUR_DOW
  sum: number;
  weight: number;
}
const HOUR_PROFILE: Profile = { slots: HOD, bytesSlots: HOD_BYTES, bytesSum: CUR_HOUR_SUM_BYTES, flowsSlots: HOD_FLOWS, flowsSum: CUR_HOUR_SUM_FLOWS, folded: HOURS, perCycle: 24, minRate: HOD_MIN_RATE, bucket: CUR_HOUR, slot: CUR_HOD, sum: CUR_HOUR_SUM, weight: CUR_HOUR_W };
const DAY_PROFILE: Profile = { slots: DOW, bytesSlots: DOW_BYTES, bytesSum: CUR_DAY_SUM_BYTES, flowsSlots: DOW_FLOWS, flowsSum: CUR_DAY_SUM_FLOWS, folded: DAYS, perCycle: 7, minRate: DOW_MIN_RATE, bucket: CUR_DAY, slot: CUR_DOW, sum: CUR_DAY_SUM, weight: CUR_DAY_W };

/** When a new hour (day) starts, folds the finished one's mean residual into its slot. */
function rollBucket(s: BaselineState, p: Profile, bucketNumber: number, slot: number): void {
  const bucket = bucketNumber % BUCKET_MOD;
  if (bucket === s[p.bucket]) return;
  // The weekday profile learns only days scored with a learnt hour profile (a first
  // day's residuals are the hour profile still being learnt, not the weekday): every hour
  // slot was set before the day's first hour folded. (Counting 48 folded hours assumed
  // every hour has traffic: a destination with quiet night hours left its first weekend
  // day to the hour profile alone, which then read the first Monday as growth.)
  const ready = p !== DAY_PROFILE || s[HOURS] - hoursOf(s[DAY_HOURS]) >= 24;
  if (s[p.weight] > 0 && ready) {
    if (p === DAY_PROFILE && s[DAY_RAW_N] > 0) {
      // The day's mean against the learnt hour profile widens the range of days seen (dailySpread).
      const mean = s[DAY_RAW_SUM] / s[DAY_RAW_N];
      s[DAY_LO] = Math.min(s[DAY_LO], mean);
      s[DAY_HI] = Math.max(s[DAY_HI], mean);
    }
    // A running mean over whole cycles (the first cycle sets each slot), then a floor.
    const rate = Math.max(1 / (1 + Math.floor(s[p.folded] / p.perCycle)), p.minRate);
    const step = rate * Math.min(1, s[p.weight]);
    s[p.slots + s[p.slot]] += step * (s[p.sum] / s[p.weight]);
    s[p.bytesSlots + s[p.slot]] += step * (s[p.bytesSum] / s[p.weight]);
    s[p.flowsSlots + s[p.slot]] += step * (s[p.flowsSum] / s[p.weight]);
    s[p.folded] += 1;
    if (p === DAY_PROFILE) takeDayOutOfHours(s, step, s[p.sum] / s[p.weight], s[p.bytesSum] / s[p.weight], s[p.flowsSum] / s[p.weight]);
  }
  if (p === HOUR_PROFILE && s[p.weight] > 0) s[DAY_HOURS] = s[DAY_HOURS] | (1 << s[p.slot]);
  s[p.bucket] = bucket;
  s[p.slot] = slot;
  s[p.sum] = s[p.bytesSum] = s[p.flowsSum] = s[p.weight] = 0;
  if (p === DAY_PROFILE) s[DAY_RAW_SUM] = s[DAY_RAW_N] = s[DAY_HOURS] = 0;
}

/** How many hour slots a DAY_HOURS mask marks. */
function hoursOf(mask: number): number {
  let n = 0;
  for (let h = 0; h < 24; h++) if ((mask & (1 << h)) !== 0) n++;
  return n;
}

/**
 * A day's level is learnt by the weekday slot and, as part of each hour's mean residual, by
 * every hour slot folded that day: together they must not move that day's expectation by
 * more than the day showed (its mean bytes residual as scored). They did in the first week:
 * a first weekend was taken whole by its weekday slot and by half (a third) into the hour
 * slots as well, so the first Monday looked like growth and the Monday slot learnt that
 * as Monday's level, which the second Monday lacked (a 3x lasting change on it read 1.4x). What was learnt beyond the day's own level is taken back out of the hour
 * slots folded that day, up to what they learnt of it (the counts' and flows' slots give back the same share). A day the winsorised residuals only
 * partly convey (a steady destination's weekend, far beyond its clip) is learnt by both,
 * as before; so is a normal day of a settled profile (0.2 + 0.15 of a day's offset).
 */
function takeDayOutOfHours(s: BaselineState, dayStep: number, countsMean: number, bytesMean: number, flowsMean: number): void {
  if (s[DAY_RAW_N] === 0 || bytesMean === 0) return;
  const shown = s[DAY_RAW_SUM] / s[DAY_RAW_N];
  // Every hour of a day folds at the rate of the same hour cycle (the last one folded).
  const rate = Math.max(1 / (1 + Math.floor((s[HOURS] - 1) / 24)), HOD_MIN_RATE);
  const learnt = (dayStep + rate) * bytesMean;
  // The share of the hour slots' part to give back: 0 when the two together stay within the
  // day's level (or it points the other way), 1 when the weekday slot alone took all of it.
  const excess = Math.sign(bytesMean) === Math.sign(shown) ? Math.max(0, Math.abs(learnt) - Math.abs(shown)) : 0;
  const share = Math.min(1, excess / Math.abs(rate * bytesMean));
  if (share === 0) return;
  for (let h = 0; h < 24; h++) {
    if ((s[DAY_HOURS] & (1 << h)) === 0) continue;
    s[HOD + h] -= share * rate * countsMean;
    s[HOD_BYTES + h] -= share * rate * bytesMean;
    s[HOD_FLOWS + h] -= share * rate * flowsMean;
  }
}

function rollSeasonalBuckets(s: BaselineState, w: WindowObservation, hourBucket: number, dayBucket: number): void {
  rollBucket(s, HOUR_PROFILE, hourBucket, w.hour);
  rollBucket(s, DAY_PROFILE, dayBucket, w.weekday);
}

export function baselineToJSON(s: BaselineState): number[] {
  // Full precision: JSON round-trips doubles exactly, so a restored engine scores
  // byte-identically to one that never stopped.
  return Array.from(s);
}

/** Length of the state main wrote with the accepted shift but not yet the open day's hours (114). */
const SHIFT_BEFORE_DAY_HOURS_LENGTH = HOD_FLOWS - 1;

/** Length of the state before bytes had a seasonal profile of its own. */
const SHARED_PROFILE_LENGTH = HOD_BYTES;

export function baselineFromJSON(json: unknown): BaselineState {
  if (Array.isArray(json) && json.length === SHARED_PROFILE_LENGTH) {
    // Written before bytes had its own profile: bytes starts from the shared one, no hold open.
    const s = new Float32Array(BASELINE_STATE_LENGTH);
    s.set(bucketsInRange(json as number[]));
    s.copyWithin(HOD_BYTES, HOD, HOD + 31);
    s[CUR_HOUR_SUM_BYTES] = s[CUR_HOUR_SUM];
    s[CUR_DAY_SUM_BYTES] = s[CUR_DAY_SUM];
    return withFlowsProfile(withoutTailsAndDays(s));
  }
  if (Array.isArray(json) && json.length === TAIL) {
    // Written before the tail-calibrated spread: every tail starts Gaussian.
    const s = new Float32Array(BASELINE_STATE_LENGTH);
    s.set(bucketsInRange(json as number[]));
    return withFlowsProfile(withoutTailsAndDays(s));
  }
  if (Array.isArray(json) && json.length === DAY_HOURS) {
    // Written before the day's level was taken out of the hour slots and accepted shifts were
    // remembered: no hour of the open day is marked, nothing is left to give back.
    const s = new Float32Array(BASELINE_STATE_LENGTH);
    s.set(bucketsInRange(json as number[]));
    return withFlowsProfile(s);
  }
  if (Array.isArray(json) && json.length === SHIFT_BEFORE_DAY_HOURS_LENGTH) {
    // Written by main between the accepted shift (8360b0a) and the merge that put the open
    // day's hours before it (0adef9c): the shift and its watch sit one place earlier; no hour
    // of the open day is marked.
    const a = bucketsInRange(json as number[]);
    const s = new Float32Array(BASELINE_STATE_LENGTH);
    s.set(a.slice(0, DAY_HOURS));
    s.set(a.slice(DAY_HOURS), SHIFT);
    return withFlowsProfile(s);
  }
  if (Array.isArray(json) && json.length === HOD_FLOWS) {
    // Written before flows had a profile of its own: it starts from the counts' profile.
    const s = new Float32Array(BASELINE_STATE_LENGTH);
    s.set(bucketsInRange(json as number[]));
    return withFlowsProfile(s);
  }
  if (!Array.isArray(json) || json.length !== BASELINE_STATE_LENGTH) {
    throw new Error(`baseline state: expected ${BASELINE_STATE_LENGTH} numbers`);
  }
  return Float32Array.from(bucketsInRange(json as number[]));
}

/**
 * State written before flows had a profile of its own: the flows profile and its open sums
 * start as the counts' (whose shared profile flows was judged against until then).
 */
function withFlowsProfile(s: BaselineState): BaselineState {
  s.copyWithin(HOD_FLOWS, HOD, HOD + 31);
  s[CUR_HOUR_SUM_FLOWS] = s[CUR_HOUR_SUM];
  s[CUR_DAY_SUM_FLOWS] = s[CUR_DAY_SUM];
  return s;
}

/**
 * State written before the tail-calibrated spread and the day range: no whole day is in the
 * range, and the first hour stays 0 (an old baseline has seen enough history). Its spreads
 * were scored against the old floor (OLD_MIN_VAR): each tail starts where it keeps that floor
 * (a steady destination would otherwise score its routine bursts several times higher at
 * once), and decays from there as tails do.
 */
function withoutTailsAndDays(s: BaselineState): BaselineState {
  for (let i = 0; i < F; i++) s[TAIL + i] = TAIL_GAUSSIAN * Math.sqrt(Math.max(1, OLD_MIN_VAR / Math.max(MIN_VAR, s[COV + TRI_OF[i * F + i]])));
  return s;
}

/** The spread floor of state written before the tail-calibrated spread (log sd 0.25). */
const OLD_MIN_VAR = 0.25 * 0.25;

/** State written in double precision held whole bucket numbers: bring them into range first. */
function bucketsInRange(json: number[]): number[] {
  const a = json.slice();
  for (const k of [CUR_HOUR, CUR_DAY]) if (a[k] >= BUCKET_MOD) a[k] = a[k] % BUCKET_MOD;
  return a;
}
