// Which kinds of day (Monday-Friday, Saturday-Sunday, in the destination's day zone: baseline.day_zones, else baseline.timezone) a young baseline
// has seen. A baseline that has seen only a weekend does not know a weekday: its first Monday
// reads as growth all day (the standard scenario started on a Saturday raised 38 records of
// no incident on it), so SUSTAINED_INCREASE does not judge a weekday before one is known. A
// first weekend after only weekdays is judged: for traffic that is quieter at weekends (the
// common case for a company's egress) it reads low against the weekdays' level; a destination
// busier at weekends (backups) can read its first Saturday as growth, as before this rule
// (docs/detection-volume.md, limits). A day is known once its slot has learnt a whole day, or once it taught the
// hour profile (a reference day, whose slot 0 is the level the profile was learnt at) from its
// first hour on, or before another weekday: a first day is often partial (Friday from 17:00),
// and the hours it did not cover are learnt from the next day (a Saturday: Monday read as growth).
import { DOW_SET, type BaselineState } from './layout.js';

/** Saturday and Sunday (Monday is 0). */
const WEEKEND = [false, false, false, false, false, true, true] as const;

/** Saturday or Sunday. */
export function isWeekend(d: number): boolean {
  return WEEKEND[d];
}

/** Marks weekday d as seen: its slot learnt a whole day, or the day taught the hour profile whole or before a weekday (seasonal-buckets.ts). */
export function markDaySeen(s: BaselineState, d: number): void {
  s[DOW_SET] = s[DOW_SET] | (1 << d);
}

/** Whether weekday d has been seen (markDaySeen). */
export function daySeen(s: BaselineState, d: number): boolean {
  return (s[DOW_SET] & (1 << d)) !== 0;
}

/** Every weekday seen: state restored from a layout before this was kept (it judged every day). */
export const ALL_DAYS_SEEN = 0b1111111;

/** The bits of Monday to Friday in DOW_SET. */
const WEEKDAY_BITS = 0b0011111;

/** Whether weekday d is a weekend day, or a weekday after some weekday has been seen. */
export function dayKnown(s: BaselineState, d: number): boolean {
  return WEEKEND[d] || (s[DOW_SET] & WEEKDAY_BITS) !== 0;
}
