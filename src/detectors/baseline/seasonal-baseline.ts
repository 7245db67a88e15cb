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
import { mahalanobisDistance } from './mahalanobis.js';
import { BASELINE_STATE_LENGTH, COV, CUR_DAY, CUR_HOUR, CUR_HOUR_W, DAY_HI, DAY_LO, DAY_RAW_N, DAY_RAW_SUM, DOW_OF, EPOCH, F, FIRST_HOUR, HELD_N, HOD_OF, HOURS, HOUR_SUM_OF, LEVEL, N, SHIFT, TAIL, PREV_BYTES_Z, TAIL_ABOVE, TAIL_DEEP, TAIL_RUN, TRI_OF, triIndex, type BaselineState } from './layout.js';
import { holdWindow, RETURNED, watchReturn } from './give-back.js';
import { isDailyJob, rememberOnset } from './daily-job.js';
import { rateDayCorrection } from './weekday-rate.js';
import { addToSeasonalBuckets, openBuckets, rollSeasonalBuckets } from './seasonal-buckets.js';



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
  /**
   * Bytes past their rare level and their run record in this window and the previous one: the
   * smaller of the two windows' standardised bytes residuals over the higher of those levels
   * (above 1), else 0. See RUN_TAIL_RATE.
   */
  runRatio: number;
  /** The previous window's standardised bytes residual. */
  previousBytesZ: number;
  /**
   * The levels runRatio reads, as this window was scored: the rare level (the deep tail plus
   * half its slope, RUN_SLOPES) and the run record (the run tail plus RUN_MARGIN).
   */
  rareLevel: number;
  runRecord: number;
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
 * the tail-calibrated spread (TAIL_ONSET_RATE).
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
export const TAIL_GAUSSIAN = 2.326;
/** Step of the tail estimate per burst onset, in standard deviations. */
const TAIL_STEP = 0.25;
/**
 * How far beyond the tail (in sd) a burst must begin to move it by a whole step; one that
 * begins closer moves it by that share. Residuals with Gaussian tails (no widening due)
 * begin past their 1% point in 1% of windows by definition, but only 0.34 sd beyond it on
 * average (phi(t) / (1 - Phi(t)) - t at t = 2.326): weighted, their onsets put back about a
 * third of what the windows below take off, so the tail stays at the Gaussian point. With
 * whole steps each such onset lifted it by 0.25 (a spread 11% wider) and only the decay
 * brought it back, never below the floor: a floored random walk that judged a destination
 * wider at random (on NAB, tails of 2.6-3.2 where rises of 5.5-7.7 sd scored 4.6-5.6 and
 * were missed). A heavy tail's bursts begin well beyond it (the hourly spikes of NAB's
 * cpu_utilization_asg_misconfiguration took the tail to 6 sd) and move it by whole steps, as
 * before; the tail then settles where bursts begin a sd or more beyond it in about 1% of
 * windows.
 */
const TAIL_OVERSHOOT = 1;
/**
 * The deep tail. The 1% point says where a destination's routine bursts begin, not how far
 * beyond it they go: a Gaussian's 0.1% point lies 0.76 sd beyond its 1% point, but the window
 * sums of heavy-tailed flow sizes (Pareto sizes with alpha 1.2-2, as file and transfer sizes
 * are) have an exponential tail in log space, whose 0.1% point lies 2-3 sd beyond. Judged as a
 * Gaussian beyond the 1% point, such a destination's routine big windows scored 6-10 and
 * alerted one or two a day for ever (all 83 VOLUME_SPIKE records of the independent traffic's
 * null runs, docs/scorecard.md). So bytes also track their 0.1% onset point the same way
 * (DEEP_TAIL_RATE, the same step), and where it lies beyond the Gaussian's (DEEP_TAIL_GAUSSIAN)
 * by more than the 1% point does, the sizes' spread (bytes and packets, which a heavy tail of
 * sizes moves together) widens by that ratio instead. A rare tail needs few onsets to set:
 * an exfiltration burst moves it by one step, as it does the 1% point.
 */
const DEEP_TAIL_RATE = 0.001;
export const DEEP_TAIL_GAUSSIAN = 3.09;
/** TAIL_ABOVE's bit for bytes above their deep tail in the previous window. */
const DEEP_ABOVE = 1 << (F + 1);
/**
 * The run tail. A heavy tail widens the bytes' spread (the deep tail above) so far that one
 * window cannot tell a burst from the destination's routine big transfers: on the independent
 * traffic (bench/independent), a 4-minute burst of 78-229 MB a minute to a destination that
 * sends about 0.7 MB a minute in Pareto sizes (alpha 1.28) scored 4.05-4.65 a window. What
 * routine big windows rarely do is come in a row: where flows arrive independently, a window
 * passes the deep tail 1 time in 1,000 and two in a row 1 time in 1,000,000. So the score also
 * reads the smaller of this window's and the previous window's standardised bytes residuals:
 * past the rare level (RUN_SLOPES) and past the run record, the highest level two windows in a
 * row have both reached before and a margin, it is a burst that lasts. Where windows are not
 * independent (big transfers that span windows, series that move slowly) pairs are common: the
 * first such pair lifts the run tail to its own level, so the same again, or up to RUN_MARGIN
 * more, is routine. It falls by TAIL_STEP in RUN_TAIL_RATE of windows, ten times slower than
 * the deep tail: the same pair alerts again after RUN_MARGIN / (TAIL_STEP x RUN_TAIL_RATE)
 * windows (a week of 1-minute windows).
 */
const RUN_TAIL_RATE = 0.0001;
/** How far past the run tail a pair must be (in sd): the run tail's step, one week's fall. */
const RUN_MARGIN = 0.25;
/**
 * How far past the deep tail a pair must be, in units of the tail's own slope (the deep tail
 * less the 1% tail: how much further a tenfold rarer level lies): half of it, the level the
 * tail extrapolated as exponential (log-space sizes; Pareto's are) puts at about 1 window in
 * 3,000. For a Gaussian destination (3.09 + 0.5 x 0.764 = 3.47) two independent windows there
 * are about as rare (7e-8) as one window past the distance threshold of 6 on four features
 * (3e-7). At the deep tail itself, windows of the project's generator that passed 3.3-3.45 sd
 * in a row alerted on 3 of its 10 standard seeds (docs/detection-volume.md).
 */
const RUN_SLOPES = 0.5;
/** TAIL_ABOVE's bit for a pair of windows above the run tail (the previous window and the one before). */
const RUN_ABOVE = 1 << (F + 2);


export function newBaseline(): BaselineState {
  const s = new Float32Array(BASELINE_STATE_LENGTH);
  s[CUR_HOUR] = -1;
  s[CUR_DAY] = -1;
  for (let i = 0; i < F; i++) s[COV + triIndex(i, i)] = PRIOR_VAR;
  for (let i = 0; i < F; i++) s[TAIL + i] = TAIL_GAUSSIAN;
  s[TAIL_DEEP] = DEEP_TAIL_GAUSSIAN;
  s[TAIL_RUN] = DEEP_TAIL_GAUSSIAN;
  return s;
}

/**
 * How much wider than its learnt spread feature i's tail says it swings (at least 1); for the
 * sizes (bytes, packets) the bytes' deep tail too.
 */
function tailWidening(s: BaselineState, i: number): number {
  const own = Math.max(1, s[TAIL + i] / TAIL_GAUSSIAN);
  // Counts of at least one (flows, sources) have no tail of sizes; the sums over flows do.
  return ONE_AT_LEAST[i] ? own : Math.max(own, s[TAIL_DEEP] / DEEP_TAIL_GAUSSIAN);
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

/** Features that are at least 1 in a window with traffic (log1p flows, sources), read as flows are. */
const ONE_AT_LEAST = [false, true, false, true];
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
  const fromMidnight = w.hour < 12 ? w.hour + at : 24 - w.hour - at;
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
  const other = w.hour < 12 ? (w.weekday + 6) % 7 : (w.weekday + 1) % 7;
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
  into.previousBytesZ = s[PREV_BYTES_Z];
  into.rareLevel = s[TAIL_DEEP] + RUN_SLOPES * Math.max(0, s[TAIL_DEEP] - s[TAIL]);
  into.runRecord = s[TAIL_RUN] + RUN_MARGIN;
  const level = Math.max(into.rareLevel, into.runRecord);
  const pair = Math.min(residual[0] / sigma[0], s[PREV_BYTES_Z]);
  // The previous window must have passed the deep tail as it was then (TAIL_ABOVE's bit).
  into.runRatio = !fresh && (s[TAIL_ABOVE] & DEEP_ABOVE) !== 0 && pair > level ? pair / level : 0;
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
 * the covariance mahalanobis() has just built (`distance` is its result for `r` itself), and
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
  return below ? Math.min(distance, mahalanobisDistance(covScratch, countsScratch, MIN_VAR)) : distance;
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
  rollSeasonalBuckets(s, w.hour, w.weekday, hourBucket, dayBucket);
  if (learnTail(s, v)) rememberOnset(s, w.start_ms, w.end_ms - w.start_ms, x[0]);
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

/**
 * One step of each feature's tail estimate (see TAIL_ONSET_RATE): up when a burst begins
 * above it (by as much of TAIL_STEP as it begins TAIL_OVERSHOOTs beyond it), down a little
 * for every window below it, unchanged while a burst goes on. Held windows count too: a
 * burst that alerts is still a burst, and the step is bounded.
 *
 * True on the first window of a bytes burst (bytes above their tail since it began) that
 * scores past HUBER_D, the distance past which the baseline no longer takes a window as normal:
 * the daily job's memory (daily-job.ts) remembers that excursion. Noise above a narrow tail
 * (1 window in 100) is not one; a burst that rises slowly is remembered once, when it gets there
 * (bit F of TAIL_ABOVE marks the burst as remembered until bytes fall back below their tail).
 */
function learnTail(s: BaselineState, v: BaselineVerdict): boolean {
  let above = 0;
  const before = s[TAIL_ABOVE];
  for (let i = 0; i < F; i++) above |= stepTail(s, TAIL + i, v.residual[i] / v.sigma[i], TAIL_ONSET_RATE, TAIL_GAUSSIAN, before, 1 << i);
  const bytesZ = v.residual[0] / v.sigma[0];
  above |= stepTail(s, TAIL_DEEP, bytesZ, DEEP_TAIL_RATE, DEEP_TAIL_GAUSSIAN, before, DEEP_ABOVE);
  above |= stepRunTail(s, Math.min(bytesZ, s[PREV_BYTES_Z]), before);
  s[PREV_BYTES_Z] = bytesZ;
  const excursion = (above & 1) !== 0 && (before & EXCURSION_SEEN) === 0 && v.distance > HUBER_D;
  if ((above & 1) !== 0 && (excursion || (before & EXCURSION_SEEN) !== 0)) above |= EXCURSION_SEEN;
  s[TAIL_ABOVE] = above;
  return excursion;
}

/**
 * One step of the tail estimate at s[at] for a window whose standardised residual is z (the 1%
 * tail of each feature and the bytes' deep tail alike; `rate` is its onset rate, `floor` the
 * Gaussian's point): up when a burst begins above it (the window above, `bit` clear in
 * `before`), down a little for a window below it, never below the floor. Returns `bit` when the
 * window is above it.
 */
function stepTail(s: BaselineState, at: number, z: number, rate: number, floor: number, before: number, bit: number): number {
  if (z > s[at]) {
    if ((before & bit) === 0) s[at] += TAIL_STEP * (1 - rate) * Math.min(1, (z - s[at]) / TAIL_OVERSHOOT);
    return bit;
  }
  s[at] = Math.max(floor, s[at] - TAIL_STEP * rate);
  return 0;
}

/**
 * One step of the run tail for a pair of windows whose smaller standardised bytes residual is
 * `pair`: a pair that begins above it lifts it there at once (its first such pair alerts, the
 * same again does not), a pair below lowers it as the deep tail falls, never below the
 * Gaussian's deep point. Returns RUN_ABOVE when the pair is above it, or at it: the pair after
 * the one that lifted it, whose smaller window is the same window, reads exactly its level
 * (single precision both) and is the same burst going on, not its end.
 */
function stepRunTail(s: BaselineState, pair: number, before: number): number {
  if (pair >= s[TAIL_RUN]) {
    if ((before & RUN_ABOVE) === 0) s[TAIL_RUN] = pair;
    return RUN_ABOVE;
  }
  s[TAIL_RUN] = Math.max(DEEP_TAIL_GAUSSIAN, s[TAIL_RUN] - TAIL_STEP * RUN_TAIL_RATE);
  return 0;
}

/** TAIL_ABOVE's bit for a bytes burst whose excursion the daily job's memory has seen. */
const EXCURSION_SEEN = 1 << F;

const clipScratch = new Float64Array(F);
const rawScratch = new Float64Array(F);
const heldScratch = new Float64Array(F);
const modelScratch = new Float64Array(F);
