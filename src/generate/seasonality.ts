// The daily and weekly rhythm of traffic (UTC). The factors average to exactly 1 over a
// week, so a destination's base rate is its mean rate over a full week.
import { DAY_MS, HOUR_MS } from './types.js';

/** Hour of the daily peak (UTC) and the swing around 1: 0.3 at night .. 1.7 in business hours. */
export const PEAK_HOUR = 14;
export const DAILY_SWING = 0.7;
/** Weekdays and weekends keep a 2:1 ratio; 5 * 7/6 + 2 * 7/12 = 7, so the weekly mean is 1. */
export const WEEKDAY_FACTOR = 7 / 6;
export const WEEKEND_FACTOR = 7 / 12;

/** Smooth daily curve, a cosine peaking at PEAK_HOUR; its mean over a day is 1. */
export function hourOfDayFactor(ms: number): number {
  const hour = (((ms % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  return 1 + DAILY_SWING * Math.cos((2 * Math.PI * (hour - PEAK_HOUR)) / 24);
}

/** 0 = Sunday .. 6 = Saturday (1970-01-01 was a Thursday). */
export function utcWeekday(ms: number): number {
  return (((Math.floor(ms / DAY_MS) + 4) % 7) + 7) % 7;
}

export function weekdayFactor(ms: number): number {
  const day = utcWeekday(ms);
  return day === 0 || day === 6 ? WEEKEND_FACTOR : WEEKDAY_FACTOR;
}

/** The rate multiplier at an instant. */
export function seasonalFactor(ms: number): number {
  return hourOfDayFactor(ms) * weekdayFactor(ms);
}
