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
// Routine bursts: each feature's upper tail, and the bytes' rarer ones, are learnt on burst
// onsets and widen the spread where a destination's bursts reach further than a Gaussian's
// (tails.ts, which also gives VOLUME_SPIKE's reading of two windows in a row).
//
// Robustness (the anomaly cannot teach the baseline): every residual is winsorised at
// CLIP_SIGMA of its feature's spread before it updates level, spread or profiles, so
// the spread cannot inflate with a developing anomaly; a window that scores high
// teaches little (weight (5/d)^2 past d = 5); and a window a detector holds (its run is
// open: see episode.ts) teaches the level and the spread nothing (the seasonal profiles, at
// their slow whole-hour and whole-day rates, and the tails still see it: learnWindow). A lasting change becomes normal only
// deliberately (give-back.ts): acceptLevel() moves the level to where the held windows were
// (by the rate's rise where they were sparse: occupancy.ts), once a detector's run has lasted
// its accept_after; and an accepted change that ends is
// given back (returnLevel) once traffic has stayed back down for baseline.return_after,
// never below where it was before the acceptance. Seasonal profiles learn from whole hours
// and whole days, not single windows (seasonal-buckets.ts), so a slow creep inside an hour is
// not absorbed by that hour's slot. Near midnight the score reads the weekday term towards the higher of the
// two days (a destination's day begins an hour or two off the zone's midnight; only
// increases alert), an allowance the model does not learn. The state is one Float32Array
// (its layout: layout.ts; as JSON, and the layouts older versions wrote: state-json.ts).
import { mahalanobisDistance, mahalanobisDistanceAgain } from './mahalanobis.js';
import { BASELINE_STATE_LENGTH, COV, CUR_DAY, CUR_HOUR, CUR_HOUR_W, DAY_HI, DAY_LO, DAY_RAW_N, DAY_RAW_SUM, DOW_OF, EPOCH, F, FIRST_HOUR, HELD_N, HOD_OF, HOURS, HOUR_SUM_OF, LEVEL, N, ONE_AT_LEAST, SHIFT, TRI_OF, triIndex, type BaselineState } from './layout.js';
import { learnTails, readRun, startTails, tailWidening, type RunReading } from './tails.js';
import { holdWindow, RETURNED, watchReturn } from './give-back.js';
import { isDailyJob, rememberOnset } from './daily-job.js';
import { rateDayCorrection } from './weekday-rate.js';
import { dayKnown } from './weekday-kinds.js';
import { addToSeasonalBuckets, openBuckets, rollSeasonalBuckets } from './seasonal-buckets.js';



/** One closed window of one destination, as the baseline sees it. */
export interface WindowObservation {
  start_ms: number;
  end_ms: number;
  bytes: number;
  flows: number;
  packets: number;
  sources: number;
  /** Hour of day 0..23 in the configured time zone (baseline.timezone: the hour profile's slot). */
  hour: number;
  /**
   * Day of week 0..6 (Monday 0) and hour of that day, in the zone whose week the destination
   * keeps (baseline.day_zones, else baseline.timezone; dayHour absent: `hour`).
   */
  weekday: number;
  dayHour?: number;
}

/** A window's verdict; its run reading's fields are tails.ts's RunReading. */
export interface BaselineVerdict extends RunReading {
  /** The window's log features (bytes, flows, packets, sources). */
  features: Float64Array;
  /** Mahalanobis distance of the window's log features from the seasonal expectation. */
  distance: number;
  /**
   * The same distance with a count (flows, sources) below its expectation read as at it: what
   * VOLUME_SPIKE scores. Fewer flows than usual carrying more bytes is the routine shape of
   * heavy-tailed sizes (one big file among few), not more of anything sent; it is the distance
   * whenever no count is below its expectation, and never more than it.
   */
  spikeDistance: number;
  /** Residuals (log space) and their standard deviations, per feature. */
  residual: Float64Array;
  sigma: Float64Array;
  /** Expected bytes for this window (seasonal expectation, linear space). */
  expectedBytes: number;
  expectedFlows: number;
  /** Times the level was re-set by acceptLevel(): detectors restart their runs when it changes. */
  epoch: number;
  /** The window is the destination's learnt daily job, at its time and size (daily-job.ts). */
  dailyJob: boolean;
  /** A weekend day, or a weekday once a weekday has been seen (weekday-kinds.ts). */
  dayKnown: boolean;
  /** What the score's allowance near midnight added to each feature's expectation (0 elsewhere). */
  lift: Float64Array;
  /**
   * Bytes and flows expected with the weekday term added in log space to every hour (the model
   * before weekday-rate.ts): SUSTAINED_INCREASE's rate reading of sparse blocks reads them.
   */
  linearBytes: number;
  linearFlows: number;
}

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
 * the tail-calibrated spread (tails.ts TAIL_ONSET_RATE).
 */
export const MIN_VAR = 0.05 * 0.05;
/**
 * Slowest learning rates: the level follows about a week of event time (longer than the
 * weekly cycle, which the profiles carry: a faster level would learn every weekend as a
 * fall and every Monday as a rise), the spread about 500 windows but never more than the
 * level's week. The spread is the spread of the residual from the model as it now is; 500
 * windows of 1 hour are three weeks, and the first of those are the young model's
 * residuals (profiles set by one day, weekday slots not yet learnt), several times the
 * settled ones: on NAB's hourly series the spread was still twice its settled value a
 * fortnight after the probation, blind to rises of 2x. Windows of 20 minutes or less
 * (7 days / 500) are unchanged.
 */
const LEVEL_SPAN_MS = 7 * 86_400_000;
const COV_MIN_RATE = 1 / 500;
/** Past this distance a window counts less and less as evidence of normal. */
const HUBER_D = 5;
/** Residuals are winsorised here (in their feature's sd) before anything learns from them. */
const CLIP_SIGMA = 2.5;


export function newBaseline(): BaselineState {
  const s = new Float32Array(BASELINE_STATE_LENGTH);
  s[CUR_HOUR] = -1;
  s[CUR_DAY] = -1;
  for (let i = 0; i < F; i++) s[COV + triIndex(i, i)] = PRIOR_VAR;
  startTails(s);
  return s;
}


export function learnedWindows(s: BaselineState): number {
  return s[N];
}

/** Windows held in a row up to now (an anomaly's run): seen, but not learnt (learnedWindows does not count them). */
export function heldWindows(s: BaselineState): number {
  return s[HELD_N];
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
function hourPart(s: BaselineState, w: WindowObservation, i: number): number {
  return youngProfile(s) ? youngHour(s, i) : hourTerm(s, w, i);
}

/**
 * The model's expectation of each log feature for the window, into `out`: level, hour term and
 * the weekday term, read through the rate where the hour is sparse (weekday-rate.ts). With
 * `share` > 0 (near midnight) the weekday term is lifted towards the higher neighbouring day
 * (dayEdgeLift) before it is read through the rate. `linear`, when given, gets the same with the
 * weekday term added in log space alone (SUSTAINED_INCREASE's sparse rate reading reads it).
 */
function expectInto(s: BaselineState, w: WindowObservation, share: number, out: Float64Array, linear?: Float64Array): Float64Array {
  for (let i = 0; i < F; i++) {
    out[i] = s[LEVEL + i] + hourPart(s, w, i);
    dayScratch[i] = s[DOW_OF[i] + w.weekday] + dayEdgeLift(s, w, i, share);
  }
  if (linear !== undefined) for (let i = 0; i < F; i++) linear[i] = out[i] + dayScratch[i];
  const c = rateDayCorrection(out[1], dayScratch[1], correctionScratch);
  for (let i = 0; i < F; i++) out[i] += dayScratch[i] + c[ONE_AT_LEAST[i] ? 0 : 1];
  return out;
}

/** scoreWindow's expectation with the day term added in log space alone, as before the rate reading of it. */
const linearScratch = new Float64Array(F);

const dayScratch = new Float64Array(F);
const correctionScratch = new Float64Array(2);

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

/** The hour term from the learnt slots, interpolated between half hours. */
function hourTerm(s: BaselineState, w: WindowObservation, i: number): number {
  const hod = HOD_OF[i];
  const at = positionInHour(w);
  const other = at < 0.5 ? (w.hour + 23) % 24 : (w.hour + 1) % 24;
  const a = Math.abs(at - 0.5);
  return (1 - a) * s[hod + w.hour] + a * s[hod + other];
}

/** Where the window's middle sits in its hour, 0..1 (read from UTC, as the hour term). */
function positionInHour(w: WindowObservation): number {
  return ((((w.start_ms + w.end_ms) / 2) % HOUR_MS) + HOUR_MS) % HOUR_MS / HOUR_MS;
}

/** The window's hour in the destination's own day (WindowObservation.dayHour; `hour` when absent). */
function dayHourOf(w: WindowObservation): number {
  return w.dayHour ?? w.hour;
}

/**
 * How far either side of midnight a destination's day may begin, in hours. Its day does not
 * begin exactly at the configured zone's midnight (users in several zones, jobs at 23:00),
 * so its weekend may begin an hour or two early or late; the weekday slots switch at midnight.
 */
export const DAY_EDGE_HOURS = 2;

/**
 * The neighbouring day's share in the score's weekday term near midnight: 1 at midnight,
 * falling linearly to 0 at DAY_EDGE_HOURS from it (the previous day's slot in the morning,
 * the next day's in the evening).
 */
export function dayEdgeShare(w: WindowObservation): number {
  const at = positionInHour(w);
  const hour = dayHourOf(w);
  const fromMidnight = hour < 12 ? hour + at : 24 - hour - at;
  return Math.max(0, 1 - fromMidnight / DAY_EDGE_HOURS);
}

/**
 * What the score adds to the model's expectation of feature i near midnight: where the
 * neighbouring day's slot is higher, its share of the difference. The score judges increases
 * only, so an uncertain day boundary is read at the higher of the two days: a weekend that
 * begins late (or a Monday early) is not a step of the whole weekend drop. A day that begins
 * on time reads lower than expected there, which is never an alert. The model learns against
 * its own slots (learnWindow takes this back out): this is the score's allowance, not a level.
 * `a` is the window's dayEdgeShare, read once per window by the callers.
 */
function dayEdgeLift(s: BaselineState, w: WindowObservation, i: number, a: number): number {
  if (a === 0) return 0;
  const dow = DOW_OF[i];
  const other = dayHourOf(w) < 12 ? (w.weekday + 6) % 7 : (w.weekday + 1) % 7;
  return a * Math.max(0, s[dow + other] - s[dow + w.weekday]);
}

/** A verdict to fill: the engine keeps one and scores every window into it. */
export function newVerdict(): BaselineVerdict {
  return {
    features: new Float64Array(F),
    distance: 0,
    spikeDistance: 0,
    residual: new Float64Array(F),
    sigma: new Float64Array(F),
    expectedBytes: 0,
    expectedFlows: 0,
    epoch: 0,
    dailyJob: false,
    dayKnown: true,
    runRatio: 0,
    previousBytesZ: 0,
    rareLevel: 0,
    runRecord: 0,
    lift: new Float64Array(F),
    linearBytes: 0,
    linearFlows: 0,
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
  const share = fresh ? 0 : dayEdgeShare(w);
  const expected = expectedScratch;
  if (fresh) expected.fill(0);
  else expectInto(s, w, share, expected, linearScratch);
  into.linearBytes = fresh ? w.bytes : Math.max(0, Math.expm1(linearScratch[0]));
  into.linearFlows = fresh ? w.flows : Math.max(0, Math.expm1(linearScratch[1]));
  // What the score's allowance near midnight added: learnWindow takes it back out.
  const lift = into.lift;
  if (share === 0 || fresh) lift.fill(0);
  else {
    expectInto(s, w, 0, liftScratch);
    for (let i = 0; i < F; i++) lift[i] = expected[i] - liftScratch[i];
  }
  for (let i = 0; i < F; i++) {
    residual[i] = fresh ? 0 : x[i] - expected[i];
    sigma[i] = Math.sqrt(Math.max(MIN_VAR, s[COV + TRI_OF[i * F + i]]));
  }
  into.distance = fresh ? 0 : mahalanobis(s, residual);
  into.spikeDistance = fresh ? 0 : countsAtLeastExpected(residual, into.distance);
  // log1p's inverse can dip below zero near an empty baseline: no negative bytes.
  into.expectedBytes = fresh ? w.bytes : Math.max(0, Math.expm1(expected[0]));
  into.expectedFlows = fresh ? w.flows : Math.max(0, Math.expm1(expected[1]));
  into.epoch = s[EPOCH];
  into.dailyJob = !fresh && isDailyJob(s, w.start_ms, w.end_ms - w.start_ms, x[0]);
  into.dayKnown = fresh || dayKnown(s, w.weekday);
  readRun(s, residual[0] / sigma[0], fresh, into);
  return into;
}

/** The expectation of each log feature for the window being scored (scoreWindow's scratch). */
const expectedScratch = new Float64Array(F);
/** The same without the allowance near midnight (scoreWindow's scratch). */
const liftScratch = new Float64Array(F);

/** The residuals' covariance as the score uses it: correlations shrunk, variances floored. */
function shrunkCovariance(s: BaselineState, out: Float64Array): void {
  for (let i = 0; i < F; i++) wideningScratch[i] = tailWidening(s, i);
  for (let i = 0; i < F; i++) {
    for (let j = 0; j < F; j++) {
      let v = s[COV + TRI_OF[i * F + j]];
      // Shrink correlations towards zero: heavy-tailed flow sizes make "bytes up, flows
      // not" far more common than a Gaussian fit of the correlation predicts.
      if (i === j) v = Math.max(MIN_VAR, v);
      else v *= 1 - SHRINK;
      // Each feature's tail widens its row and column (its correlations stay as they are).
      out[i * F + j] = v * wideningScratch[i] * wideningScratch[j];
    }
  }
}

/** Each feature's tail widening for the covariance being built (shrunkCovariance's scratch). */
const wideningScratch = new Float64Array(F);

// Scratch of the covariance the score solves, reused between calls (the engine is synchronous).
const covScratch = new Float64Array(F * F);

function mahalanobis(s: BaselineState, r: Float64Array): number {
  shrunkCovariance(s, covScratch);
  return mahalanobisDistance(covScratch, r, MIN_VAR);
}

/**
 * The distance of `r` with each count (flows, sources) below its expectation read at 0, on
 * the covariance mahalanobis() has just built and factored (`distance` is its result for `r` itself), and
 * never more than `distance`: where the features move together, a count's fall explains the
 * others' (a smaller window in every feature), and reading it away must not add evidence.
 */
function countsAtLeastExpected(r: Float64Array, distance: number): number {
  let below = false;
  for (let i = 0; i < F; i++) {
    const count = ONE_AT_LEAST[i] && r[i] < 0;
    countsScratch[i] = count ? 0 : r[i];
    below ||= count;
  }
  return below ? Math.min(distance, mahalanobisDistanceAgain(covScratch, countsScratch, MIN_VAR)) : distance;
}

/** The residuals with the counts below their expectation at 0 (countsAtLeastExpected's scratch). */
const countsScratch = new Float64Array(F);

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
    openBuckets(s, w.hour, w.weekday, hourBucket, dayBucket);
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
  const model = modelScratch;
  for (let i = 0; i < F; i++) {
    // Against the model's own slots: the score's allowance near midnight is not learnt.
    model[i] = v.residual[i] + v.lift[i];
    const limit = CLIP_SIGMA * v.sigma[i];
    r[i] = Math.max(-limit, Math.min(limit, model[i]));
    const shift = young ? youngHour(s, i) - hourTerm(s, w, i) : 0;
    raw[i] = r[i] + shift;
    heldScratch[i] = model[i] + shift;
  }
  // The hour slot the destination's day begins in (its day zone's midnight; whole-hour offsets exact).
  rollSeasonalBuckets(s, w.hour, w.weekday, hourBucket, dayBucket, (w.hour - dayHourOf(w) + 24) % 24);
  if (learnTails(s, v.residual, v.sigma, v.distance > HUBER_D)) rememberOnset(s, w.start_ms, w.end_ms - w.start_ms, x[0]);
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
  // An accepted rise of a twentieth or less is not watched: giving it back would restart every
  // detector's run (a new epoch) for a negligible move.
  if (s[SHIFT] >= RETURNED && returnAfterMs > 0) watchReturn(s, model, Math.ceil(returnAfterMs / (w.end_ms - w.start_ms)));

  const n = s[N];
  // The first window set the level; from then on it moves slowly even while young, so the
  // profiles learn the shape against a steady level (a level still sweeping through the
  // first day would be learnt into every slot as a tilt).
  const weekRate = Math.min(1, (w.end_ms - w.start_ms) / LEVEL_SPAN_MS);
  const levelRate = weekRate * weight;
  // Young with no hour mean yet (the first window after the one that set the level): no spread.
  // It remembers about COV_MIN_RATE's 500 windows, and never more than the level's week.
  const covRate = spreadLearns ? Math.max(1 / (n + PRIOR_WINDOWS), COV_MIN_RATE, weekRate) * weight : 0;
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


const clipScratch = new Float64Array(F);
const rawScratch = new Float64Array(F);
const heldScratch = new Float64Array(F);
const modelScratch = new Float64Array(F);
