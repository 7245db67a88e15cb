// The daily job's memory (daily-job.ts), worked by hand on 5-minute windows: the tolerance
// is 30 minutes (two windows are 10), a job is learnt once it began on 2 days running.
import { describe, expect, it } from 'vitest';
import { isDailyJob, rememberOnset } from '../../src/detectors/baseline/daily-job.js';
import { BASELINE_STATE_LENGTH, JOB_AT, JOB_DAYS, JOB_LOG } from '../../src/detectors/baseline/layout.js';
import { newBaseline } from '../../src/detectors/baseline/seasonal-baseline.js';
import { baselineFromJSON, baselineToJSON } from '../../src/detectors/baseline/state-json.js';

const MIN = 60_000;
const W = 5 * MIN;
const DAY = 1440 * MIN;
const T0 = Date.UTC(2026, 0, 5, 2, 0, 0); // Monday 02:00 UTC
const minuteOf = (t: number): number => Math.floor(t / MIN) % 2 ** 24;

describe('the daily job memory', () => {
  it('learns a burst at 02:00 on the second day running and then reads it as the job', () => {
    const s = newBaseline();
    expect(isDailyJob(s, T0, W, 20)).toBe(false);
    rememberOnset(s, T0, W, 20);
    expect([s[JOB_AT], s[JOB_LOG], s[JOB_DAYS]]).toEqual([minuteOf(T0), 20, 1]);
    // Day 2, 10 minutes later in the day, at 1.5x (ln 1.5 = 0.405 < ln 2): not yet the job (one day seen).
    const day2 = T0 + DAY + 10 * MIN;
    expect(isDailyJob(s, day2, W, 20.405)).toBe(false);
    rememberOnset(s, day2, W, 20.405);
    // The size moves a tenth of the way up: 20 + 0.1 * 0.405.
    expect(s[JOB_AT]).toBe(minuteOf(day2));
    expect(s[JOB_LOG]).toBeCloseTo(20.0405, 4);
    expect(s[JOB_DAYS]).toBe(2);
    // Day 3 at 02:00 (20 minutes before day 2's onset, within 30): the job; so is its window 25 minutes on.
    expect(isDailyJob(s, T0 + 2 * DAY, W, 20)).toBe(true);
    expect(isDailyJob(s, day2 + 25 * MIN, W, 20)).toBe(true);
    // Clearly larger (ln 2 above 20.0405 is 20.7336): not the job.
    expect(isDailyJob(s, T0 + 2 * DAY, W, 20.74)).toBe(false);
    expect(isDailyJob(s, T0 + 2 * DAY, W, 20.73)).toBe(true);
    // The same burst at 14:00, or 35 minutes off the job's time: not the job.
    expect(isDailyJob(s, T0 + 2 * DAY + 12 * 60 * MIN, W, 20)).toBe(false);
    expect(isDailyJob(s, day2 + DAY + 35 * MIN, W, 20)).toBe(false);
    // After a weekend (3 days later) still the job; 4 days later not.
    expect(isDailyJob(s, day2 + 3 * DAY, W, 20)).toBe(true);
    expect(isDailyJob(s, day2 + 4 * DAY, W, 20)).toBe(false);
    // A smaller run on day 3 (half the size, ln 0.5 = -0.693 below) moves it half way down.
    rememberOnset(s, T0 + 2 * DAY, W, 19.3474);
    expect(s[JOB_LOG]).toBeCloseTo(19.694, 3);
    expect(s[JOB_DAYS]).toBe(3);
  });

  it('keeps a learnt job through another burst and a clearly larger one, and forgets it once it missed its time', () => {
    const s = newBaseline();
    rememberOnset(s, T0, W, 20);
    rememberOnset(s, T0 + DAY, W, 20);
    // A burst at 14:00 while the job is due: the job's memory stays.
    rememberOnset(s, T0 + DAY + 12 * 60 * MIN, W, 19);
    expect([s[JOB_AT], s[JOB_LOG], s[JOB_DAYS]]).toEqual([minuteOf(T0 + DAY), 20, 2]);
    // A 3x larger burst at the job's time: its time goes on, its size and days do not.
    rememberOnset(s, T0 + 2 * DAY, W, 20 + Math.log(3));
    expect([s[JOB_AT], s[JOB_LOG], s[JOB_DAYS]]).toEqual([minuteOf(T0 + 2 * DAY), 20, 2]);
    expect(isDailyJob(s, T0 + 3 * DAY, W, 20)).toBe(true);
    // Five days without it, then a burst at 09:00: a new memory, not the job.
    const later = T0 + 7 * DAY + 7 * 60 * MIN;
    rememberOnset(s, later, W, 18);
    expect([s[JOB_AT], s[JOB_LOG], s[JOB_DAYS]]).toEqual([minuteOf(later), 18, 1]);
  });

  it('reads no time of day on windows longer than 3 hours', () => {
    const s = newBaseline();
    const H4 = 240 * MIN;
    rememberOnset(s, T0, H4, 20);
    rememberOnset(s, T0 + DAY, H4, 20);
    expect(s[JOB_DAYS]).toBe(0);
    expect(isDailyJob(s, T0 + 2 * DAY, H4, 20)).toBe(false);
  });

  it('restores state written before the job was remembered (148 numbers) with none, and today\'s with its job', () => {
    const s = newBaseline();
    rememberOnset(s, T0, W, 20);
    rememberOnset(s, T0 + DAY, W, 20);
    const json = baselineToJSON(s);
    expect(JOB_AT).toBe(148);
    expect(BASELINE_STATE_LENGTH).toBe(155); // + the bytes' deep tail, + the previous window's bytes z and the run tail, + the weekdays seen
    const old = baselineFromJSON(json.slice(0, 148));
    expect(Array.from(old.slice(0, 148))).toEqual(json.slice(0, 148));
    expect(Array.from(old.slice(148))).toEqual([0, 0, 0, Math.fround(3.09), 0, Math.fround(3.09), 0]); // the deep and run tails start Gaussian; no weekday seen (nothing learnt)
    expect(isDailyJob(old, T0 + 2 * DAY, W, 20)).toBe(false);
    const now = baselineFromJSON(json);
    expect(Array.from(now.slice(148))).toEqual([minuteOf(T0 + DAY), 20, 2, Math.fround(3.09), 0, Math.fround(3.09), 0]);
    expect(isDailyJob(now, T0 + 2 * DAY, W, 20)).toBe(true);
    // State written before the deep tail (151 numbers): everything kept, the deep tail Gaussian.
    const beforeDeep = baselineFromJSON([...json.slice(0, 151)]);
    expect(Array.from(beforeDeep.slice(0, 151))).toEqual(json.slice(0, 151));
    expect(beforeDeep[151]).toBe(Math.fround(3.09));
    // State written before the run tail (152 numbers): everything kept, no previous window's
    // bytes z (0: the next window cannot make a pair), the run tail at the Gaussian's deep point.
    json[151] = 3.5;
    const beforeRun = baselineFromJSON(json.slice(0, 152));
    expect(Array.from(beforeRun.slice(0, 152))).toEqual(json.slice(0, 152));
    expect(Array.from(beforeRun.slice(152))).toEqual([0, Math.fround(3.09), 0]);
  });

  it('learns and reads the job across the wrap of its minute (2^25 minutes after 1970 = 23,301 days and 992 minutes: 2033-10-18 at 16:32 UTC), on windows that start mid-minute', () => {
    // 2^25 minutes since 1970 is 2,013,265,920,000 ms; the job begins 12 hours before the
    // wrap (stored minute 2^24 - 720, exact in single precision), then 12 hours after it on
    // the next day (stored 720): (720 - (2^24 - 720)) mod 2^24 = 1440, one day.
    const wrap = 2 ** 25 * MIN;
    expect(new Date(wrap).toISOString()).toBe('2033-10-18T16:32:00.000Z');
    const s = newBaseline();
    rememberOnset(s, wrap - 720 * MIN + 30_000, W, 20);
    expect(s[JOB_AT]).toBe(2 ** 24 - 720);
    rememberOnset(s, wrap + 720 * MIN + 30_000, W, 20);
    expect([s[JOB_AT], s[JOB_LOG], s[JOB_DAYS]]).toEqual([720, 20, 2]);
    expect(isDailyJob(s, wrap + 720 * MIN + DAY, W, 20)).toBe(true);
    expect(isDailyJob(s, wrap + 720 * MIN + DAY + 31 * MIN, W, 20)).toBe(false);
  });
});
