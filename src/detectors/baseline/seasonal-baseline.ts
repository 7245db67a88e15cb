// The per-destination volume baseline shared by the volume detectors.
//
// Model: each closed window gives four log features (bytes sent, flows, packets sent,
// distinct sources). The expectation is  level + hour_of_day[h] + day_of_week[d]  per
// feature, in log space, so seasonality is multiplicative. The residual's spread is a
// robust running covariance; the window's score is its Mahalanobis distance (ml-matrix),
// which is unit-free and so comparable across destinations.
//
// Robustness: a window that scores high teaches the baseline little (weight falls as
// (3/d)^2 past d = 3) and one that alerted almost nothing, so an attack cannot make
// itself normal quickly. Seasonal profiles learn from whole hours and whole days, not
// single windows, so a slow creep inside an hour is not absorbed by that hour's slot.
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

export const FEATURES = ['bytes', 'flows', 'packets', 'sources'] as const;
const F = FEATURES.length;
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
}

// State layout in one Float64Array: compact (the 2 KB per destination budget) and
// trivially serialisable.
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
const HOD = COV + TRI;
const DOW = HOD + 24;
export const BASELINE_STATE_LENGTH = DOW + 7;

/** Shrinkage of the correlations (0: none, 1: diagonal only). */
const SHRINK = 0.3;
/** Prior spread: log-space sd of 1 (a factor of e) until data says otherwise. */
const PRIOR_VAR = 1.0;
/** Prior weight of the spread, in windows. */
const PRIOR_WINDOWS = 20;
/** No feature is trusted to be steadier than this (log sd 0.25, about +-28%). */
const MIN_VAR = 0.25 * 0.25;
/** Slowest learning rates: level about a day of windows, spread about 8 hours. */
const LEVEL_MIN_RATE = 1 / 1440;
const COV_MIN_RATE = 1 / 500;
const HOD_MIN_RATE = 0.15;
const DOW_MIN_RATE = 0.2;
/** Past this distance a window counts less and less as evidence of normal. */
const HUBER_D = 5;
/** An alerted window still teaches a little, so a lasting legitimate change is learnt in days. */
const ALERTED_WEIGHT = 0.02;

export type BaselineState = Float64Array;

export function newBaseline(): BaselineState {
  const s = new Float64Array(BASELINE_STATE_LENGTH);
  s[CUR_HOUR] = -1;
  s[CUR_DAY] = -1;
  for (let i = 0; i < F; i++) s[COV + triIndex(i, i)] = PRIOR_VAR;
  return s;
}

export function learnedWindows(s: BaselineState): number {
  return s[N];
}

/** Whole hours folded into the hour-of-day profile: 24 means every hour was seen once. */
export function learnedHours(s: BaselineState): number {
  return s[HOURS];
}

function triIndex(i: number, j: number): number {
  if (i > j) [i, j] = [j, i];
  return i * F - (i * (i - 1)) / 2 + (j - i);
}

export function logFeatures(w: WindowObservation): Float64Array {
  const x = new Float64Array(F);
  x[0] = Math.log1p(w.bytes);
  x[1] = Math.log1p(w.flows);
  x[2] = Math.log1p(w.packets);
  x[3] = Math.log1p(w.sources);
  return x;
}

function seasonal(s: BaselineState, w: WindowObservation): number {
  return s[HOD + w.hour] + s[DOW + w.weekday];
}

/** Scores a window against the baseline without changing it. */
export function scoreWindow(s: BaselineState, w: WindowObservation): BaselineVerdict {
  const x = logFeatures(w);
  const season = seasonal(s, w);
  const residual = new Float64Array(F);
  const sigma = new Float64Array(F);
  const fresh = s[N] === 0;
  for (let i = 0; i < F; i++) {
    residual[i] = fresh ? 0 : x[i] - (s[LEVEL + i] + season);
    sigma[i] = Math.sqrt(Math.max(MIN_VAR, s[COV + triIndex(i, i)]));
  }
  const distance = fresh ? 0 : mahalanobis(s, residual);
  return {
    features: x,
    distance,
    residual,
    sigma,
    // log1p's inverse can dip below zero near an empty baseline: no negative bytes.
    expectedBytes: fresh ? w.bytes : Math.max(0, Math.expm1(s[LEVEL] + season)),
    expectedFlows: fresh ? w.flows : Math.max(0, Math.expm1(s[LEVEL + 1] + season)),
  };
}

// Reused between calls (the engine is synchronous): fewer allocations on the hot path.
const cov = new Matrix(F, F);
const rhs = new Matrix(F, 1);

function mahalanobis(s: BaselineState, r: Float64Array): number {
  for (let i = 0; i < F; i++) {
    for (let j = 0; j < F; j++) {
      let v = s[COV + triIndex(i, j)];
      // Shrink correlations towards zero: heavy-tailed flow sizes make "bytes up, flows
      // not" far more common than a Gaussian fit of the correlation predicts.
      if (i === j) v = Math.max(MIN_VAR, v);
      else v *= 1 - SHRINK;
      cov.set(i, j, v);
    }
  }
  const chol = new CholeskyDecomposition(cov);
  let d2: number;
  if (chol.isPositiveDefinite()) {
    for (let i = 0; i < F; i++) rhs.set(i, 0, r[i]);
    const sol = chol.solve(rhs);
    d2 = 0;
    for (let i = 0; i < F; i++) d2 += r[i] * sol.get(i, 0);
  } else {
    // A degenerate spread (features moving in lockstep): fall back to the diagonal.
    d2 = 0;
    for (let i = 0; i < F; i++) d2 += (r[i] * r[i]) / Math.max(MIN_VAR, cov.get(i, i));
  }
  return Math.sqrt(Math.max(0, d2));
}

/** Weight of a window as evidence of normal traffic. */
export function learningWeight(distance: number, alerted: boolean): number {
  if (alerted) return ALERTED_WEIGHT;
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
): void {
  const x = v.features;
  if (s[N] === 0) {
    // First window: it defines the level; the spread keeps its prior.
    for (let i = 0; i < F; i++) s[LEVEL + i] = x[i];
    s[N] = 1;
    openBuckets(s, w, hourBucket, dayBucket);
    return;
  }
  rollSeasonalBuckets(s, w, hourBucket, dayBucket);

  const n = s[N];
  const levelRate = Math.max(1 / (n + 1), LEVEL_MIN_RATE) * weight;
  const covRate = Math.max(1 / (n + PRIOR_WINDOWS), COV_MIN_RATE) * weight;
  const r = v.residual;
  for (let i = 0; i < F; i++) {
    for (let j = i; j < F; j++) {
      const k = COV + triIndex(i, j);
      s[k] += covRate * (r[i] * r[j] - s[k]);
    }
  }
  let meanResidual = 0;
  for (let i = 0; i < F; i++) {
    s[LEVEL + i] += levelRate * r[i];
    meanResidual += r[i] * (1 - levelRate);
  }
  meanResidual /= F;
  // The seasonal profiles learn from what the level did not explain, in whole hours/days.
  s[CUR_HOUR_SUM] += weight * meanResidual;
  s[CUR_HOUR_W] += weight;
  s[CUR_DAY_SUM] += weight * meanResidual;
  s[CUR_DAY_W] += weight;
  s[N] = n + 1;
}

function openBuckets(s: BaselineState, w: WindowObservation, hourBucket: number, dayBucket: number): void {
  s[CUR_HOUR] = hourBucket;
  s[CUR_DAY] = dayBucket;
  s[CUR_HOD] = w.hour;
  s[CUR_DOW] = w.weekday;
  s[CUR_HOUR_SUM] = s[CUR_HOUR_W] = s[CUR_DAY_SUM] = s[CUR_DAY_W] = 0;
}

/** Where one seasonal profile keeps its slots and its open bucket in the state array. */
interface Profile {
  slots: number; // first slot (HOD or DOW)
  folded: number; // count of buckets folded (HOURS or DAYS)
  perCycle: number; // buckets per full cycle (24 hours, 7 days)
  minRate: number;
  bucket: number; // CUR_HOUR / CUR_DAY
  slot: number; // CUR_HOD / CUR_DOW
  sum: number;
  weight: number;
}
const HOUR_PROFILE: Profile = { slots: HOD, folded: HOURS, perCycle: 24, minRate: HOD_MIN_RATE, bucket: CUR_HOUR, slot: CUR_HOD, sum: CUR_HOUR_SUM, weight: CUR_HOUR_W };
const DAY_PROFILE: Profile = { slots: DOW, folded: DAYS, perCycle: 7, minRate: DOW_MIN_RATE, bucket: CUR_DAY, slot: CUR_DOW, sum: CUR_DAY_SUM, weight: CUR_DAY_W };

/** When a new hour (day) starts, folds the finished one's mean residual into its slot. */
function rollBucket(s: BaselineState, p: Profile, bucket: number, slot: number): void {
  if (bucket === s[p.bucket]) return;
  if (s[p.weight] > 0) {
    const rate = Math.max(1 / (1 + s[p.folded] / p.perCycle), p.minRate);
    s[p.slots + s[p.slot]] += rate * Math.min(1, s[p.weight]) * (s[p.sum] / s[p.weight]);
    s[p.folded] += 1;
  }
  s[p.bucket] = bucket;
  s[p.slot] = slot;
  s[p.sum] = s[p.weight] = 0;
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

export function baselineFromJSON(json: unknown): BaselineState {
  if (!Array.isArray(json) || json.length !== BASELINE_STATE_LENGTH) {
    throw new Error(`baseline state: expected ${BASELINE_STATE_LENGTH} numbers`);
  }
  return Float64Array.from(json as number[]);
}
