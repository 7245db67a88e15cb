// Where each number of a destination's volume baseline lives: the layout of its one
// Float32Array, shared by the model (seasonal-baseline.ts), its deliberate level moves
// (give-back.ts) and the reading of states older layouts wrote (state-json.ts).
import { DIMENSION } from './mahalanobis.js';

export const FEATURES = ['bytes', 'flows', 'packets', 'sources'] as const;
/** The solve is written for DIMENSION features: the type says so (a fifth feature does not compile). */
export const F: typeof DIMENSION = FEATURES.length;
export const TRI = (F * (F + 1)) / 2;
/** Features that are at least 1 in a window with traffic (log1p flows, sources), read as flows are. */
export const ONE_AT_LEAST = [false, true, false, true];

export type BaselineState = Float32Array;
/** Bucket numbers (yyyymmddhh) modulo this stay exact in single precision. */
export const BUCKET_MOD = 2 ** 24;

// State layout in one Float32Array: compact (the 2 KB per destination budget counts the
// array's storage) and trivially serialisable. Single precision is ample for log-space
// levels, spreads and profiles (steps of 1e-4 on a level near 20 are ~50 float32 ulps);
// counts stay exact below 2^24, and the hour/day bucket numbers are kept modulo 2^24
// (only ever compared for equality with the next window's).
export const N = 0; // windows learnt
export const HOURS = 1; // whole hours folded into the hour-of-day profile
export const DAYS = 2; // whole days folded into the day-of-week profile
export const CUR_HOUR = 3; // hour bucket (epoch hours) being accumulated, -1 none
export const CUR_HOUR_SUM = 4;
export const CUR_HOUR_W = 5;
export const CUR_DAY = 6; // day bucket being accumulated
export const CUR_DAY_SUM = 7;
export const CUR_DAY_W = 8;
export const CUR_HOD = 9; // hour-of-day and weekday of the buckets above
export const CUR_DOW = 10;
export const LEVEL = 11;
export const COV = LEVEL + F;
export const HOD = COV + TRI; // profile of the counts (packets, sources; before the flows profile, flows too)
export const DOW = HOD + 24;
export const HOD_BYTES = DOW + 7; // profile of bytes sent
export const DOW_BYTES = HOD_BYTES + 24;
export const CUR_HOUR_SUM_BYTES = DOW_BYTES + 7;
export const CUR_DAY_SUM_BYTES = CUR_HOUR_SUM_BYTES + 1;
export const HELD_N = CUR_DAY_SUM_BYTES + 1; // consecutive held windows
export const HELD_RES = HELD_N + 1; // recent mean residual of the held windows, per feature
export const EPOCH = HELD_RES + F;
export const TAIL = EPOCH + 1; // per feature, the upper tail of the standardised residual (tail-calibrated spread)
export const TAIL_ABOVE = TAIL + F; // bitmask: features whose previous window sat above their tail (bit F: its bytes burst was remembered, daily-job.ts)
export const FIRST_HOUR = TAIL_ABOVE + 1; // epoch hour of the first window learnt (0: state written before it was kept)
export const DAY_LO = FIRST_HOUR + 1; // lowest and highest mean bytes residual of a whole day judged with a learnt hour profile (0: none)
export const DAY_HI = DAY_LO + 1;
// The open day's bytes residuals as scored (not winsorised: the range must see a weekend even
// where a steady destination's narrow spread would clip it), and how many windows they sum.
export const DAY_RAW_SUM = DAY_HI + 1;
export const DAY_RAW_N = DAY_RAW_SUM + 1;
// The hour slots (0..23) folded during the open day, one bit each (24 bits: exact in single
// precision): the day's own level is taken back out of them when the day folds.
export const DAY_HOURS = DAY_RAW_N + 1;
export const SHIFT = DAY_HOURS + 1; // per feature: the level shift acceptLevel made and traffic has not given back
export const BACK_N = SHIFT + F; // consecutive learnt windows whose smoothed bytes residual is back down by half the shift
export const BACK_RES = BACK_N + 1; // smoothed residual of the learnt windows since the acceptance, per feature
// The flow count's own profile and its open hour's and day's residual sums (before it was kept,
// flows shared the counts' profile, which packets swinging with bytes dominate: on a sparse
// destination it expected a fifth of the flows sent by day).
export const HOD_FLOWS = BACK_RES + F;
export const DOW_FLOWS = HOD_FLOWS + 24;
export const CUR_HOUR_SUM_FLOWS = DOW_FLOWS + 7;
export const CUR_DAY_SUM_FLOWS = CUR_HOUR_SUM_FLOWS + 1;
// The daily job (daily-job.ts): the last bytes burst onset, as epoch minutes modulo
// BUCKET_MOD (31 years: only differences of days are read), its log bytes, and on how many
// days running it began at that time of day at a similar size (0: none yet).
export const JOB_AT = CUR_DAY_SUM_FLOWS + 1;
export const JOB_LOG = JOB_AT + 1;
export const JOB_DAYS = JOB_LOG + 1;
// The bytes' deep tail: the level bytes bursts begin above in 1 window in 1,000 (standardised
// residual; tails.ts DEEP_TAIL_RATE), for sizes whose tail is heavier than a Gaussian's.
export const TAIL_DEEP = JOB_DAYS + 1;
// The bytes' run tail (tails.ts RUN_TAIL_RATE): the previous window's standardised bytes
// residual, and the level two windows in a row have both reached (the smaller of the two), as
// high as any such pair so far, decaying slowly.
export const PREV_BYTES_Z = TAIL_DEEP + 1;
export const TAIL_RUN = PREV_BYTES_Z + 1;
// The weekdays seen so far, one bit each (weekday-kinds.ts).
export const DOW_SET = TAIL_RUN + 1;
export const BASELINE_STATE_LENGTH = DOW_SET + 1;

/** Where feature i's hour slots, weekday slots and open hour's residual sum are (0: bytes, 1: flows, else the counts'). */
export const HOD_OF = [HOD_BYTES, HOD_FLOWS, HOD, HOD];
export const DOW_OF = [DOW_BYTES, DOW_FLOWS, DOW, DOW];
export const HOUR_SUM_OF = [CUR_HOUR_SUM_BYTES, CUR_HOUR_SUM_FLOWS, CUR_HOUR_SUM, CUR_HOUR_SUM];

export function triIndex(i: number, j: number): number {
  if (i > j) [i, j] = [j, i];
  return i * F - (i * (i - 1)) / 2 + (j - i);
}

/** triIndex(i, j) for every cell, row-major: the covariance is read once per closed window. */
export const TRI_OF = Int32Array.from({ length: F * F }, (_, k) => triIndex(Math.floor(k / F), k % F));
