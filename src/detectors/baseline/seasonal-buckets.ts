// The seasonal profiles' bookkeeping: a window's residual (what the level did not explain)
// adds to the open hour's and day's sums, and when a new hour or day begins the finished
// one's mean folds into its hour-of-day or weekday slot, for bytes, flows and the shared
// counts alike. Profiles learn from whole hours and whole days, never single windows, so a
// slow creep inside an hour is not absorbed by its slot; a day's level is learnt once (by its
// weekday slot, taken back out of the hour slots folded that day); the day's mean as scored
// also widens the range of days seen (seasonal-baseline.ts dailySpread). The slots' layout is
// layout.ts's; seasonal-baseline.ts reads them and calls these as it learns each window.
import { BUCKET_MOD, CUR_DAY, CUR_DAY_SUM, CUR_DAY_SUM_BYTES, CUR_DAY_SUM_FLOWS, CUR_DAY_W, CUR_DOW, CUR_HOD, CUR_HOUR, CUR_HOUR_SUM, CUR_HOUR_SUM_BYTES, CUR_HOUR_SUM_FLOWS, CUR_HOUR_W, DAYS, DAY_HI, DAY_HOURS, DAY_LO, DAY_RAW_N, DAY_RAW_SUM, DOW, DOW_BYTES, DOW_FLOWS, F, HOD, HOD_BYTES, HOD_FLOWS, HOURS, type BaselineState } from './layout.js';
import { isWeekend, markDaySeen } from './weekday-kinds.js';

/** Slowest learning of an hour-of-day slot (a share of each new day's hour). */
const HOD_MIN_RATE = 0.15;
/** Slowest learning of a weekday slot (a share of each new week's day). */
const DOW_MIN_RATE = 0.2;

/** The seasonal profiles learn from what the level did not explain, in whole hours/days. */
export function addToSeasonalBuckets(s: BaselineState, r: Float64Array, levelRate: number, weight: number): void {
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

export function openBuckets(s: BaselineState, hour: number, weekday: number, hourBucket: number, dayBucket: number): void {
  s[CUR_HOUR] = hourBucket % BUCKET_MOD;
  s[CUR_DAY] = dayBucket % BUCKET_MOD;
  s[CUR_HOD] = hour;
  s[CUR_DOW] = weekday;
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
function rollBucket(s: BaselineState, p: Profile, bucketNumber: number, slot: number, firstHour = 0): void {
  const bucket = bucketNumber % BUCKET_MOD;
  if (bucket === s[p.bucket]) return;
  // The weekday profile learns only days scored with a learnt hour profile (a first
  // day's residuals are the hour profile still being learnt, not the weekday): every hour
  // slot was set before the day's first hour folded. (Counting 48 folded hours assumed
  // every hour has traffic: a destination with quiet night hours left its first weekend
  // day to the hour profile alone, which then read the first Monday as growth.)
  const ready = p !== DAY_PROFILE || s[HOURS] - hoursOf(s[DAY_HOURS]) >= 24;
  // A day with traffic is seen (weekday-kinds.ts) when its slot learns it, or when it taught the
  // hour profile (its first hour's slot is the level the profile was learnt at) from its first hour on or
  // before a weekday: the hours a partial first day did not cover are learnt from the next day,
  // and a first Friday from 17:00 followed by a weekend left Monday's hours to the weekend.
  if (p === DAY_PROFILE && s[p.weight] > 0 && (ready || (s[DAY_HOURS] & (1 << firstHour)) !== 0 || !isWeekend(slot))) markDaySeen(s, s[p.slot]);
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

/**
 * Folds what a new hour or day closes. `firstHour`: the hour slot (baseline.timezone's) in
 * which the destination's day begins, 0 unless its days keep another zone (baseline.day_zones):
 * a day that taught that slot began in its first hour.
 */
export function rollSeasonalBuckets(s: BaselineState, hour: number, weekday: number, hourBucket: number, dayBucket: number, firstHour = 0): void {
  rollBucket(s, HOUR_PROFILE, hourBucket, hour);
  rollBucket(s, DAY_PROFILE, dayBucket, weekday, firstHour);
}
