// A destination's baseline as JSON (the engine's changelog and snapshots), and the reading of
// every layout an older egress-watch wrote: each older length is converted to today's, with
// what it did not keep started as the model would have it (state-store.ts restores with this).
import {
  BASELINE_STATE_LENGTH, BUCKET_MOD, COV, CUR_DAY, CUR_DAY_SUM, CUR_DAY_SUM_BYTES, CUR_DAY_SUM_FLOWS, CUR_HOUR, CUR_HOUR_SUM,
  CUR_HOUR_SUM_BYTES, CUR_HOUR_SUM_FLOWS, DAY_HOURS, F, JOB_AT, HOD, HOD_BYTES, HOD_FLOWS, PREV_BYTES_Z, SHIFT, TAIL, TAIL_DEEP, TAIL_RUN, TRI_OF, DOW_SET, N, type BaselineState,
} from './layout.js';
import { ALL_DAYS_SEEN } from './weekday-kinds.js';
import { MIN_VAR } from './seasonal-baseline.js';
import { DEEP_TAIL_GAUSSIAN, TAIL_GAUSSIAN } from './tails.js';

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
    const s = widened(json as number[]);
    s.copyWithin(HOD_BYTES, HOD, HOD + 31);
    s[CUR_HOUR_SUM_BYTES] = s[CUR_HOUR_SUM];
    s[CUR_DAY_SUM_BYTES] = s[CUR_DAY_SUM];
    return withFlowsProfile(withoutTailsAndDays(s));
  }
  if (Array.isArray(json) && json.length === TAIL) {
    // Written before the tail-calibrated spread: every tail starts Gaussian.
    return withFlowsProfile(withoutTailsAndDays(widened(json as number[])));
  }
  if (Array.isArray(json) && json.length === DAY_HOURS) {
    // Written before the day's level was taken out of the hour slots and accepted shifts were
    // remembered: no hour of the open day is marked, nothing is left to give back.
    return withFlowsProfile(widened(json as number[]));
  }
  if (Array.isArray(json) && json.length === SHIFT_BEFORE_DAY_HOURS_LENGTH) {
    // Written by main between the accepted shift (8360b0a) and the merge that put the open
    // day's hours before it (0adef9c): the shift and its watch sit one place earlier; no hour
    // of the open day is marked.
    const a = json as number[];
    const s = widened(a.slice(0, DAY_HOURS));
    s.set(a.slice(DAY_HOURS), SHIFT);
    return withFlowsProfile(s);
  }
  if (Array.isArray(json) && json.length === HOD_FLOWS) {
    // Written before flows had a profile of its own: it starts from the counts' profile.
    return withFlowsProfile(widened(json as number[]));
  }
  if (Array.isArray(json) && json.length === JOB_AT) {
    // Written before the daily job was remembered: none yet.
    return widened(json as number[]);
  }
  if (Array.isArray(json) && json.length === TAIL_DEEP) {
    // Written before the bytes' deep tail was kept: it starts Gaussian.
    return widened(json as number[]);
  }
  if (Array.isArray(json) && json.length === DOW_SET) {
    // Written before the weekdays seen were kept (weekday-kinds.ts).
    return widened(json as number[]);
  }
  if (Array.isArray(json) && json.length === PREV_BYTES_Z) {
    // Written before the run tail was kept: it starts at the Gaussian's deep point, with no
    // previous window above it (the next pair is judged from the window after this one).
    return widened(json as number[]);
  }
  if (!Array.isArray(json) || json.length !== BASELINE_STATE_LENGTH) {
    throw new Error(`baseline state: expected ${BASELINE_STATE_LENGTH} numbers`);
  }
  return Float32Array.from(bucketsInRange(json as number[]));
}

/**
 * State of an older, shorter layout: its numbers in place, those it did not keep 0, but the
 * tails it did not keep (the deep tail, the run tail) at the Gaussian's deep point.
 */
function widened(json: number[]): BaselineState {
  const s = new Float32Array(BASELINE_STATE_LENGTH);
  s.set(bucketsInRange(json));
  if (json.length <= TAIL_DEEP) s[TAIL_DEEP] = DEEP_TAIL_GAUSSIAN;
  if (json.length <= TAIL_RUN) s[TAIL_RUN] = DEEP_TAIL_GAUSSIAN;
  // Older layouts judged every day: every weekday seen, once the baseline has learnt anything.
  s[DOW_SET] = s[N] > 0 ? ALL_DAYS_SEEN : 0;
  return s;
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
