// A destination's daily job: a backup or report upload that sends one burst at the same time
// every day. The hour profile learns the hour's mean, and the tail-calibrated spread learns
// bursts that begin in 1 window in 100 or more; a job's one burst a day on 5-minute windows
// (1 in 288) is neither, so without this VOLUME_SPIKE alerts on it every day.
//
// The baseline remembers the last excursion: the first window of a bytes burst (bytes above
// their tail) that scores past the distance where the baseline stops taking a window as normal
// (HUBER_D, below the alert threshold); its time and size, and on how many days running a burst began
// at that time of day (within JOB_TOLERANCE_MIN or two windows, whichever is larger, of one to
// JOB_GAP_DAYS days later: a weekday job skips the weekend) at a size not clearly larger (at
// most JOB_LARGER times the remembered one). Once that has happened on JOB_DAYS days, a window
// at the job's time (its onset or a later window within the tolerance) is the job's and does
// not alert, unless it is clearly larger than the job: exfiltration inside the backup window
// still alerts, and does not teach the job its size. Another burst while the job is due keeps
// the job's memory; one after the job missed its time (and its gap) starts a new memory.
// Event time only (window start); the time of day is read from UTC minutes, so a job that
// follows a daylight-saving change moves by an hour and is learnt again.
import { BUCKET_MOD, JOB_AT, JOB_DAYS, JOB_LOG, type BaselineState } from './layout.js';

/** Days running a burst must recur before it is taken as a daily job (those days alert). */
export const JOB_DAYS_NEEDED = 2;
/** Time-of-day tolerance, in minutes (at least two windows). */
export const JOB_TOLERANCE_MIN = 30;
/** A burst this many times the job's size is not the job (ln). */
export const JOB_LARGER = Math.log(2);
/** Longest gap between two days of the job (a weekend and a holiday). */
export const JOB_GAP_DAYS = 3;
/**
 * How far a day's run moves the job's remembered size: half way down, a tenth of the way up. A
 * run within JOB_LARGER is silent, so an upward move is taught by windows no one was shown:
 * half way would let a sender walk a silent size up by sqrt 2 a day (18x in ten days); a tenth
 * lets a job grow as data do (a backup's percent a day) but a walk only by 2^0.1 = 1.07x a day.
 */
const JOB_LEARN_DOWN = 0.5;
const JOB_LEARN_UP = 0.1;
/** Windows longer than this have no time of day to match. */
const MAX_WINDOW_MIN = 180;

const DAY_MIN = 1440;
const MINUTE_MS = 60_000;

function minuteOf(startMs: number): number {
  return Math.floor(startMs / MINUTE_MS) % BUCKET_MOD;
}

function toleranceMin(windowMs: number): number {
  return Math.max(JOB_TOLERANCE_MIN, (2 * windowMs) / MINUTE_MS);
}

/** Minutes since the remembered onset (modulo BUCKET_MOD, as it is kept). */
function sinceOnset(s: BaselineState, startMs: number): number {
  return (((minuteOf(startMs) - s[JOB_AT]) % BUCKET_MOD) + BUCKET_MOD) % BUCKET_MOD;
}

/** 1..JOB_GAP_DAYS when `since` is that many whole days (within the tolerance), else 0. */
function daysLater(since: number, tol: number): number {
  const k = Math.round(since / DAY_MIN);
  return k >= 1 && k <= JOB_GAP_DAYS && Math.abs(since - k * DAY_MIN) <= tol ? k : 0;
}

/**
 * Whether a window (its start, length and log bytes) is the destination's learnt daily job:
 * at its time of day, not clearly larger. The score reads it before the window is learnt.
 */
export function isDailyJob(s: BaselineState, startMs: number, windowMs: number, logBytes: number): boolean {
  if (s[JOB_DAYS] < JOB_DAYS_NEEDED || windowMs > MAX_WINDOW_MIN * MINUTE_MS) return false;
  if (logBytes > s[JOB_LOG] + JOB_LARGER) return false;
  const since = sinceOnset(s, startMs);
  const tol = toleranceMin(windowMs);
  return since <= tol || daysLater(since, tol) > 0;
}

/** A bytes burst began in this window (learnWindow calls it on the onset, held or not). */
export function rememberOnset(s: BaselineState, startMs: number, windowMs: number, logBytes: number): void {
  if (windowMs > MAX_WINDOW_MIN * MINUTE_MS) return;
  const tol = toleranceMin(windowMs);
  if (s[JOB_DAYS] > 0) {
    const since = sinceOnset(s, startMs);
    // A later burst of the same run of the job.
    if (since <= tol) return;
    if (daysLater(since, tol) > 0) {
      s[JOB_AT] = minuteOf(startMs);
      // Clearly larger: the job ran (its time goes on) but its size is not this one's.
      if (logBytes > s[JOB_LOG] + JOB_LARGER) return;
      s[JOB_LOG] += (logBytes > s[JOB_LOG] ? JOB_LEARN_UP : JOB_LEARN_DOWN) * (logBytes - s[JOB_LOG]);
      s[JOB_DAYS] += 1;
      return;
    }
    // A learnt job still due keeps its memory.
    if (s[JOB_DAYS] >= JOB_DAYS_NEEDED && since < JOB_GAP_DAYS * DAY_MIN + tol) return;
  }
  s[JOB_AT] = minuteOf(startMs);
  s[JOB_LOG] = logBytes;
  s[JOB_DAYS] = 1;
}
